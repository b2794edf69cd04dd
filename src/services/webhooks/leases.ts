// At most N delivery attempts in flight per partner endpoint, across every worker process. Each
// attempt holds a lease (owner, expiry) in a Redis sorted set scored by its expiry; expired leases
// are dropped before counting, so a worker that dies mid-delivery frees its places when its
// leases run out instead of holding them for good. Expiry uses Redis' clock, one for all processes.
import type { Redis } from 'ioredis';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

export interface Lease {
  release(): Promise<void>;
}

/** A place among `capacity` for `leaseMs`, or null when all are taken. */
export async function acquireLease(redis: Redis, key: string, owner: string, capacity: number, leaseMs: number): Promise<Lease | null> {
  const granted = await redis.eval(ACQUIRE, 1, key, owner, capacity, leaseMs);
  if (Number(granted) !== 1) return null;
  return { release: async () => void (await redis.zrem(key, owner).catch(() => 0)) };
}

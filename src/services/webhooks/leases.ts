// Bounded concurrency across every worker process: at most N delivery attempts in flight per
// partner endpoint and per organization. Each attempt holds a lease (owner, expiry) in one Redis
// sorted set per bound, scored by its expiry; expired leases are dropped before counting, so a
// worker that dies mid-delivery frees its places when its leases run out instead of holding them
// for good. All bounds are taken at once or not at all, by Redis' clock, one for all processes.
import type { Redis } from 'ioredis';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[1])
  redis.call('PEXPIRE', key, lease)
end
return 1`;

export interface Bound {
  key: string;
  capacity: number;
}

export interface Lease {
  release(): Promise<void>;
}

/** A place within every bound for `leaseMs`, or null when one of them is full. */
export async function acquireLease(redis: Redis, bounds: readonly Bound[], owner: string, leaseMs: number): Promise<Lease | null> {
  const keys = bounds.map((b) => b.key);
  const granted = await redis.eval(ACQUIRE, keys.length, ...keys, owner, leaseMs, ...bounds.map((b) => b.capacity));
  if (Number(granted) !== 1) return null;
  return {
    release: async () => {
      await Promise.all(keys.map((k) => redis.zrem(k, owner))).catch(() => undefined);
    },
  };
}

// Delivery leases against a real Redis: bounds hold across owners, every bound is taken at once
// or not at all, and a lease whose owner never gives it back expires.
import { Redis } from 'ioredis';
import { acquireLease } from '../../src/services/webhooks/leases';
import { REDIS_URL } from '../helpers/env';

describe('webhook delivery leases', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `pgtest_leases_${process.pid}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const endpoint = (n: string) => ({ key: `${prefix}:endpoint:${n}`, capacity: 2 });
  const org = { key: `${prefix}:org`, capacity: 3 };

  it('grants at most the capacity of each bound, and nothing of one when another is full', async () => {
    const a1 = await acquireLease(redis, [endpoint('a'), org], 'job1', 10_000);
    const a2 = await acquireLease(redis, [endpoint('a'), org], 'job2', 10_000);
    expect(a1 && a2).toBeTruthy();
    expect(await acquireLease(redis, [endpoint('a'), org], 'job3', 10_000)).toBeNull(); // endpoint a is full
    const b1 = await acquireLease(redis, [endpoint('b'), org], 'job4', 10_000);
    expect(b1).toBeTruthy();
    expect(await acquireLease(redis, [endpoint('b'), org], 'job5', 10_000)).toBeNull(); // the organization is full
    expect(await redis.zscore(endpoint('b').key, 'job5')).toBeNull(); // and nothing was taken of b
    await a1!.release();
    expect(await acquireLease(redis, [endpoint('b'), org], 'job5', 10_000)).toBeTruthy();
  });

  it('a lease never released (its worker died) expires and frees its place', async () => {
    const bound = { key: `${prefix}:endpoint:dead`, capacity: 1 };
    expect(await acquireLease(redis, [bound], 'dead-worker', 300)).toBeTruthy();
    expect(await acquireLease(redis, [bound], 'live-worker', 300)).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect(await acquireLease(redis, [bound], 'live-worker', 300)).toBeTruthy();
  });
});

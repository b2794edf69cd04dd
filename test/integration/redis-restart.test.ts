// Redis keeps nothing on disk: a restart loses every queued job, wake-up and job scheduler. Postgres
// is the truth, so credits committed while Redis was away, or pending when it died, are still
// booked, exactly once, by workers that were never restarted.
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';
import { ownRedis, type OwnRedis } from '../helpers/own-redis';
import { waitFor } from '../helpers/wait';
import { spawnWorkerProcess } from '../helpers/worker-process';

describe('a Redis restart with the worker left running', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    redis = await ownRedis();
    t = await startTestApp('redisrestart', { REDIS_URL: redis.url }, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(async () => {
    await t.close();
    await redis.kill();
  });

  const credited = (ids: string[]) => t.deps.db.ledgerEntry.count({ where: { paymentId: { in: ids }, kind: 'TOP_UP' } });

  it('Pays committed while Redis is down, and jobs queued when it died, are all credited once it is back empty', async () => {
    const queuedIds: string[] = [];
    const downIds: string[] = [];
    for (let i = 0; i < 20; i++) queuedIds.push((await topUp(t, shop, { amount: 10 })).transactionId);
    for (let i = 0; i < 20; i++) downIds.push((await topUp(t, shop, { amount: 10 })).transactionId);

    // Jobs queued, then Redis dies before the worker gets them all.
    await t.stopWorkers();
    for (const id of queuedIds) await sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '10.00'), { secret: shop.apiSecret });
    await t.startWorkers();
    await redis.kill();

    // Signed Pays while Redis is away: committed and answered 0, without waiting for Redis.
    const answers = await Promise.all(downIds.map((id) => sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '10.00'), { secret: shop.apiSecret })));
    expect(answers.every((a) => a.status === 200 && a.body.code === 0)).toBe(true);
    expect(await t.deps.db.payment.count({ where: { id: { in: downIds }, status: 'CONFIRMED' } })).toBe(20);

    await redis.start(); // empty: no jobs, no schedulers
    await waitFor(() => credited([...queuedIds, ...downIds]), (n) => n === 40, { timeoutMs: 45_000, everyMs: 250 });
    expect(await t.deps.db.outbox.count({ where: { status: 'PENDING', key: { in: [...queuedIds, ...downIds].map((id) => `credit-${id}`) } } })).toBe(0);
    const client = await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: shop.orgId, id: shop.clientId } } });
    expect(client.testBalance.toFixed(2)).toBe('400.00');
    // Credits need no Redis now; the relay's job scheduler (webhook attempts) is restored once it is back.
    await waitFor(() => t.deps.queues.maintenance.getJobScheduler('outbox-relay').catch(() => null), Boolean, { timeoutMs: 20_000, everyMs: 250 });
  }, 90_000);

  it('a fault run: workers SIGKILLed every 2 s and Redis restarted twice while 150 Pays arrive: every credit booked once', async () => {
    await t.stopWorkers(); // only the child processes below do the work
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push((await topUp(t, shop, { amount: 1 })).transactionId);
    const before = (await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: shop.orgId, id: shop.clientId } } })).testBalance;
    let worker = spawnWorkerProcess(t, { LOG_LEVEL: 'silent' });
    let stopped = false;
    const killer = (async () => {
      while (!stopped) {
        await new Promise((r) => setTimeout(r, 2000));
        if (stopped) break;
        await worker.kill();
        worker = spawnWorkerProcess(t, { LOG_LEVEL: 'silent' });
      }
    })();
    try {
      let sent = 0;
      const send = async (n: number) => {
        const batch = ids.slice(sent, sent + n);
        sent += n;
        const answers = await Promise.all(batch.map((id) => sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '1.00'), { secret: shop.apiSecret })));
        expect(answers.every((a) => a.body?.code === 0)).toBe(true);
      };
      await send(50);
      await redis.kill();
      await send(25);
      await redis.start();
      await send(25);
      await new Promise((r) => setTimeout(r, 500));
      await redis.kill();
      await new Promise((r) => setTimeout(r, 300));
      await redis.start();
      await send(50);
      await waitFor(() => credited(ids), (n) => n === 150, { timeoutMs: 90_000, everyMs: 500 });
    } finally {
      stopped = true;
      await killer;
      await worker.kill();
    }
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: { in: ids } } })).toBe(150); // none twice
    const after = (await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: shop.orgId, id: shop.clientId } } })).testBalance;
    expect(after.minus(before).toFixed(2)).toBe('150.00');
  }, 150_000);
});

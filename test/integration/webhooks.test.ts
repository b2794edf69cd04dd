// Partner webhooks end to end: a real receiver verifies every delivery with `standardwebhooks`.
import { Webhook } from 'standardwebhooks';
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';
import { Receiver, type Received } from '../helpers/receiver';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';
import { spawnWorkerProcess } from '../helpers/worker-process';

const FAST = { WEBHOOK_RETRY_DELAYS: '0,200ms,200ms,200ms,200ms', WEBHOOK_TIMEOUT: '700ms' };

describe('partner webhooks', () => {
  let t: TestApp;
  let shop: Shop;
  const rx = new Receiver();

  beforeAll(async () => {
    await rx.start();
    t = await startTestApp('webhooks', FAST, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });

  const create = async (url: string, events = ['PAYMENT_RECEIVED', 'PAYMENT_FAILED']) => {
    const res = await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }', { i: { url, events } }, shop.token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data.createWebhook as { id: string; secret: string };
  };
  const deliveries = async (webhookId: string) =>
    (await t.gql('query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { id messageId eventType status attempts lastStatusCode attemptLog { statusCode error latencyMs } } } } }', { id: webhookId }, shop.token))
      .body.data.webhookDeliveries.edges.map((e: any) => e.node);
  const paid = async (amount = 500) => {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount });
    await payWithCard(paymentUrl, CARDS.success);
    return transactionId;
  };

  it('the seed\'s createWebhook, then PAYMENT_RECEIVED after a sandbox top-up, signed per Standard Webhooks', async () => {
    const url = rx.on('/seed', () => ({ status: 200 }));
    const res = await t.gql(`mutation CreatePaymentWebhook { createWebhook(input: { url: "${url}", events: ["PAYMENT_RECEIVED", "PAYMENT_FAILED"] }) { id secret }}`, {}, shop.token);
    const { id, secret } = res.body.data.createWebhook;
    expect(id).toMatch(/^whk_/);
    expect(secret).toMatch(/^whsec_/);
    const paymentId = await paid(500);
    const [got] = await waitFor(async () => rx.at('/seed'), (l) => l.length === 1);
    expect(Receiver.verify(secret, got)).toEqual(got.json);
    expect(got.json).toMatchObject({
      type: 'PAYMENT_RECEIVED',
      timestamp: expect.stringMatching(/Z$/),
      data: { id: paymentId, status: 'CONFIRMED', amount: '500.00', currency: 'RUB', clientId: shop.clientId, gatewayType: 'SANDBOX', balanceAfter: expect.stringMatching(/^\d+\.\d{2}$/) },
    });
    expect(got.id).toMatch(/^msg_/);
    // a declined card: PAYMENT_FAILED
    const { paymentUrl } = await topUp(t, shop);
    await payWithCard(paymentUrl, CARDS.bankDecline);
    const failed = await waitFor(async () => rx.at('/seed'), (l) => l.length === 2);
    expect(failed[1].json).toMatchObject({ type: 'PAYMENT_FAILED', data: { status: 'FAILED', failureCode: '5005' } });
    await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, shop.token);
  });

  it('a receiver failing 3 times then succeeding: one event, four attempts, the same webhook-id', async () => {
    const url = rx.on('/flaky', (n) => (n <= 3 ? { status: 500, body: 'try later' } : { status: 200 }));
    const { id, secret } = await create(url, ['PAYMENT_RECEIVED']);
    await paid(10);
    const got = await waitFor(async () => rx.at('/flaky'), (l) => l.length === 4, { timeoutMs: 15_000 });
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    for (const r of got) Receiver.verify(secret, r);
    const [d] = await waitFor(() => deliveries(id), (l) => l[0]?.status === 'DELIVERED');
    expect(d).toMatchObject({ eventType: 'PAYMENT_RECEIVED', attempts: 4, lastStatusCode: 200, messageId: got[0].id });
    expect(d.attemptLog.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 200]);
    await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, shop.token);
  });

  it('a receiver that hangs: the attempt times out and is retried', async () => {
    const url = rx.on('/hang', (n) => (n === 1 ? 'hang' : { status: 200 }));
    const { id } = await create(url, ['PAYMENT_RECEIVED']);
    await paid(11);
    const [d] = await waitFor(() => deliveries(id), (l) => l[0]?.status === 'DELIVERED', { timeoutMs: 15_000 });
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/timed out/) });
    expect(d.attemptLog[1].statusCode).toBe(200);
    await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, shop.token);
  });

  it('one slow endpoint does not hold up the others', async () => {
    const slow = rx.on('/slow', () => 'hang');
    const fast = rx.on('/fast', () => ({ status: 200 }));
    const a = await create(slow, ['PAYMENT_RECEIVED']);
    const b = await create(fast, ['PAYMENT_RECEIVED']);
    for (let i = 0; i < 6; i++) await paid(1);
    await waitFor(async () => rx.at('/fast'), (l) => l.length === 6, { timeoutMs: 5_000 });
    await t.gql('mutation($a: ID!, $b: ID!) { a: deleteWebhook(id: $a) b: deleteWebhook(id: $b) }', { a: a.id, b: b.id }, shop.token);
  });

  it('secret rotation: both the old and the new secret verify for the overlap', async () => {
    const url = rx.on('/rotate', () => ({ status: 200 }));
    const { id, secret: oldSecret } = await create(url, ['PAYMENT_RECEIVED']);
    const rotated = await t.gql('mutation($id: ID!) { rotateWebhookSecret(id: $id) { id secret } }', { id }, shop.token);
    const newSecret = rotated.body.data.rotateWebhookSecret.secret;
    expect(newSecret).not.toBe(oldSecret);
    await paid(12);
    const [got] = await waitFor(async () => rx.at('/rotate'), (l) => l.length === 1);
    expect(got.signature.split(' ')).toHaveLength(2);
    expect(Receiver.verify(oldSecret, got)).toBeTruthy();
    expect(Receiver.verify(newSecret, got)).toBeTruthy();
    expect(() => Receiver.verify(`whsec_${Buffer.alloc(24, 9).toString('base64')}`, got)).toThrow();
    await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, shop.token);
  });

  it('410 Gone disables the endpoint, with a WEBHOOK_DISABLED entry in its log', async () => {
    const url = rx.on('/gone', () => ({ status: 410 }));
    const { id } = await create(url, ['PAYMENT_RECEIVED']);
    await paid(13);
    const log = await waitFor(() => deliveries(id), (l) => l.length === 2);
    expect(log.map((d: any) => [d.eventType, d.status])).toEqual([['WEBHOOK_DISABLED', 'FAILED'], ['PAYMENT_RECEIVED', 'FAILED']]);
    const [hook] = (await t.gql('{ webhooks { id isActive disabledReason } }', {}, shop.token)).body.data.webhooks.filter((w: any) => w.id === id);
    expect(hook).toEqual({ id, isActive: false, disabledReason: 'the endpoint answered 410 Gone' });
    await paid(14);
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.at('/gone')).toHaveLength(1);
  });

  it('replay after a partner outage: same webhook-id, delivered', async () => {
    let up = false;
    const url = rx.on('/outage', () => ({ status: up ? 200 : 503 }));
    const { id, secret } = await create(url, ['PAYMENT_RECEIVED']);
    const since = new Date(Date.now() - 1000).toISOString();
    await paid(15);
    await paid(16);
    await waitFor(() => deliveries(id), (l) => l.length === 2 && l.every((d: any) => d.status === 'FAILED'), { timeoutMs: 15_000 });
    up = true;
    const [first] = await deliveries(id);
    const one = await t.gql('mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }', { id: first.id }, shop.token);
    expect(one.body.data.replayWebhookDelivery.id).toBe(first.id);
    await waitFor(() => deliveries(id), (l) => l.find((d: any) => d.id === first.id)?.status === 'DELIVERED');
    const all = await t.gql('mutation($id: ID!, $since: DateTime!) { replayWebhookDeliveries(webhookId: $id, since: $since) }', { id, since }, shop.token);
    expect(all.body.data.replayWebhookDeliveries).toBe(1);
    const final = await waitFor(() => deliveries(id), (l) => l.every((d: any) => d.status === 'DELIVERED'));
    const delivered = rx.at('/outage').filter((r: Received) => r.json && Receiver.verify(secret, r));
    for (const d of final) expect(delivered.some((r) => r.id === d.messageId)).toBe(true);
    // The count goes on across a replay: every attempt is in the log, and the schedule restarted.
    for (const d of final) {
      expect(d.attempts).toBe(d.attemptLog.length);
      expect(d.attempts).toBeGreaterThan(1);
    }
  });

  it('replayWebhookDelivery answers with the delivery it replayed, however old', async () => {
    const url = rx.on('/old', () => ({ status: 200 }));
    const { id } = await create(url, ['PAYMENT_RECEIVED']);
    const rows = Array.from({ length: 101 }, (_, i) => ({
      id: `whd_${String(i).padStart(26, '0')}`, organizationId: shop.orgId, environment: 'TEST' as const, endpointId: id, eventId: `msg_old${i}`,
      eventType: 'PAYMENT_RECEIVED', payload: { type: 'PAYMENT_RECEIVED', n: i }, status: 'FAILED' as const,
    }));
    await t.deps.db.webhookDelivery.createMany({ data: rows });
    const oldest = rows[0].id; // sorts before the 100 newer ones
    const res = await t.gql('mutation($id: ID!) { replayWebhookDelivery(id: $id) { id messageId status } }', { id: oldest }, shop.token);
    expect(res.body.data.replayWebhookDelivery).toEqual({ id: oldest, messageId: 'msg_old0', status: 'PENDING' });
    await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, shop.token);
  });

  it('validates events and URLs', async () => {
    const bad = await t.gql('mutation { createWebhook(input: { url: "https://partner.example.com/h", events: ["PAYMENT_EXPLODED"] }) { id } }', {}, shop.token);
    expect(bad.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/unknown event\(s\) PAYMENT_EXPLODED/) });
    const none = await t.gql('mutation { createWebhook(input: { url: "https://partner.example.com/h", events: [] }) { id } }', {}, shop.token);
    expect(none.body.errors?.[0].message).toMatch(/at least one event/);
    const ftp = await t.gql('mutation { createWebhook(input: { url: "ftp://partner.example.com/h", events: ["PAYMENT_RECEIVED"] }) { id } }', {}, shop.token);
    expect(ftp.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('webhook SSRF guard (WEBHOOK_ALLOW_PRIVATE_URLS=false)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp('webhookguard', { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    ({ token } = await makeOrg(t.deps));
  });
  afterAll(() => t.close());

  // Only loopback and private addresses appear in URLs here, so that not even a broken guard could
  // send a byte off this machine. The special-purpose public-format ranges (documentation nets,
  // 6to4, NAT64, Teredo, …) are judged by the pure classifier in test/unit/ssrf.test.ts.
  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost:8080/hook',
    'http://[::1]/hook',
    'http://192.168.1.10/hook',
    'http://0.0.0.0/hook',
    'http://[::127.0.0.1]/hook',
    'http://[::ffff:0:127.0.0.1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook', // 127.0.0.1 written as one number
  ])('refuses %s', async (url) => {
    const res = await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }', { i: { url, events: ['PAYMENT_RECEIVED'] } }, token);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/private, loopback or otherwise internal/) });
    // and it says how to try webhooks on one's own machine
    expect(res.body.errors?.[0].message).toContain('WEBHOOK_ALLOW_PRIVATE_URLS=true');
    expect(await t.deps.db.webhookEndpoint.count()).toBe(0);
  });

  it('checks again at connect time (DNS rebinding)', async () => {
    const { postWebhook } = await import('../../src/services/webhooks/post');
    const res = await postWebhook('http://localhost:9/hook', {}, '{}', { timeoutMs: 1000, allowPrivate: false });
    expect(res).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused to connect to internal address/) });
    // Loopback in every spelling the save-time check is bypassed with: were the connect-time guard
    // broken, these would still reach nothing but this machine's closed port 9.
    for (const literal of ['http://[::127.0.0.1]:9/hook', 'http://[::ffff:127.0.0.1]:9/hook', 'http://2130706433:9/hook', 'http://127.1:9/hook']) {
      expect(await postWebhook(literal, {}, '{}', { timeoutMs: 1000, allowPrivate: false })).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused to connect/) });
    }
  });
});

describe('a worker killed in the middle of a delivery', () => {
  let t: TestApp;
  const rx = new Receiver();
  beforeAll(async () => {
    await rx.start();
    t = await startTestApp('webhookkill', { ...FAST, WEBHOOK_TIMEOUT: '10s', WORKER_LOCK_DURATION: '1s' }); // no in-process workers yet
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });

  it('the attempt is taken up again: delivered at least once, every attempt logged', async () => {
    const shop = await makeShop(t);
    let killed = false;
    const url = rx.on('/kill', (n) => (n === 1 ? 'hang' : { status: 200 }));
    const hook = (await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }', { i: { url, events: ['PAYMENT_RECEIVED'] } }, shop.token)).body.data.createWebhook;
    // A separate worker process that will die with the attempt in flight.
    const worker = spawnWorkerProcess(t, { WEBHOOK_TIMEOUT: '10s', WEBHOOK_RETRY_DELAYS: FAST.WEBHOOK_RETRY_DELAYS });
    const { paymentUrl } = await topUp(t, shop, { amount: 5 });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(async () => rx.at('/kill'), (l) => l.length === 1, { timeoutMs: 15_000 });
    await worker.kill();
    killed = true;
    // Another worker picks the stalled attempt up once its lock expires.
    await t.startWorkers();
    const got = await waitFor(async () => rx.at('/kill'), (l) => l.length >= 2, { timeoutMs: 15_000 });
    expect(killed).toBe(true);
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    for (const r of got) expect(new Webhook(hook.secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature })).toBeTruthy();
    const d = await waitFor(() => t.deps.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: hook.id }, include: { attemptLog: true } }), (x) => x.status === 'DELIVERED', { timeoutMs: 10_000 });
    expect(d.attemptLog.some((a) => a.statusCode === 200)).toBe(true);
  });

  it('a dead worker holds no places: its leases on a slow endpoint expire and the endpoint is served again', async () => {
    await t.stopWorkers();
    const shop = await makeShop(t);
    const url = rx.on('/leases', (n) => (n <= 4 ? 'hang' : { status: 200 }));
    const hook = (await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }', { i: { url, events: ['PAYMENT_RECEIVED'] } }, shop.token)).body.data.createWebhook;
    const worker = spawnWorkerProcess(t, { WEBHOOK_TIMEOUT: '2s', WEBHOOK_RETRY_DELAYS: FAST.WEBHOOK_RETRY_DELAYS });
    for (let i = 0; i < 6; i++) {
      const { paymentUrl } = await topUp(t, shop, { amount: 1 + i });
      await payWithCard(paymentUrl, CARDS.success);
    }
    // four attempts hang at the partner, the other two wait for a place; then the worker dies
    await waitFor(async () => rx.at('/leases'), (l) => l.length === 4, { timeoutMs: 15_000 });
    await worker.kill();
    await t.startWorkers();
    const delivered = await waitFor(
      () => t.deps.db.webhookDelivery.findMany({ where: { endpointId: hook.id } }),
      (ds) => ds.length === 6 && ds.every((d) => d.status === 'DELIVERED'),
      // A job the dead worker held as active comes back only through BullMQ's stalled check,
      // which waits out the job lock (30 s): the slowest honest recovery.
      { timeoutMs: 45_000, everyMs: 200 },
    );
    expect(delivered).toHaveLength(6);
  }, 60_000);
});

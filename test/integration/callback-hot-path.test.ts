// A callback is decided on an unlocked read and written in one statement guarded by the version
// of the payment it was decided on. A write whose payment changed in between writes nothing at
// all (no status, history, outbox or callback row), and racing words about one payment still
// leave exactly one outcome.
import { decide } from '../../src/domain/book';
import { persistInOneStatement } from '../../src/services/book/persist-sql';
import { loadPaymentOn } from '../../src/services/book/snapshot';
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

describe('the callback hot path', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('hotpath', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const payEvent = (invoiceId: string) => ({
    kind: 'confirmed' as const, invoiceId, transactionId: `77${Date.now() % 1_000_000}`, amount: '500.00', currency: 'RUB', accountId: shop.clientId, testMode: true,
  });

  it('a write decided on a version that is no longer the payment\'s writes nothing, and the fresh one goes through', async () => {
    const { transactionId: id } = await topUp(t, shop);
    const stale = (await loadPaymentOn(t.deps.pg, id, { lock: false, gatewayId: shop.gatewayId }))!;
    const event = payEvent(id);
    const decision = decide(stale.snapshot, { kind: 'gateway-event', event, source: 'callback', now: new Date(), transactionHeldBy: null });
    expect(decision.change?.to).toBe('CONFIRMED');
    // Someone else changes the payment between our read and our write.
    await t.deps.db.payment.update({ where: { id }, data: { description: 'changed meanwhile' } });
    const history = await t.deps.db.paymentEvent.count({ where: { paymentId: id } });
    const callback = { table: 'GatewayCallback', row: { id: `cb_test_${id}`, gatewayId: shop.gatewayId, gatewayType: 'SANDBOX', environment: 'TEST', kind: 'pay', remoteAddress: null, headers: {}, body: {}, bodySha256: 'x', verdict: 'VALID', paymentId: id, gatewayTransactionId: event.transactionId, result: {} } };

    expect(await persistInOneStatement(t.deps.pg, stale, decision, { actor: 'test' }, [callback])).toBeNull();
    expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING', description: 'changed meanwhile' });
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id } })).toBe(history);
    expect(await t.deps.db.outbox.count({ where: { key: `credit-${id}` } })).toBe(0);
    expect(await t.deps.db.gatewayCallback.count({ where: { id: `cb_test_${id}` } })).toBe(0);

    const fresh = (await loadPaymentOn(t.deps.pg, id, { lock: false, gatewayId: shop.gatewayId }))!;
    expect(await persistInOneStatement(t.deps.pg, fresh, decision, { actor: 'test' }, [callback])).not.toBeNull();
    expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CONFIRMED', description: 'changed meanwhile' });
    expect(await t.deps.db.outbox.count({ where: { key: `credit-${id}` } })).toBe(1);
    expect(await t.deps.db.gatewayCallback.count({ where: { id: `cb_test_${id}` } })).toBe(1);
  });

  it('Pays and Fails racing for one payment: one outcome, one status change, credited at most once', async () => {
    for (let round = 0; round < 5; round++) {
      const { transactionId: id } = await topUp(t, shop);
      const words = Array.from({ length: 12 }, (_, i) => (i % 2
        ? sendNotification(t.url, shop.gatewayId, 'fail', payFields(id, shop.clientId), { secret: shop.apiSecret })
        : sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId), { secret: shop.apiSecret })));
      const answers = await Promise.all(words);
      expect(answers.every((a) => a.status === 200 && a.body.code === 0)).toBe(true);
      const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      const changes = await t.deps.db.paymentEvent.count({ where: { paymentId: id, fromStatus: 'PENDING', toStatus: { not: 'PENDING' } } });
      expect(changes).toBe(1);
      expect(await t.deps.db.outbox.count({ where: { key: `credit-${id}` } })).toBe(p.status === 'CONFIRMED' ? 1 : 0);
      expect(await t.deps.db.gatewayCallback.count({ where: { paymentId: id } })).toBe(12);
    }
  });

  it('racing words that only add a note (an amount mismatch, sent 10 times at once) leave one note, not one each', async () => {
    for (let round = 0; round < 3; round++) {
      const { transactionId: id } = await topUp(t, shop);
      const answers = await Promise.all(Array.from({ length: 10 }, () =>
        sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '499.00'), { secret: shop.apiSecret })));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'AMOUNT_MISMATCH' } })).toBe(1);
      expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING' });
    }
  });
});

describe('the gateway a callback is verified with, kept in memory', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('gatewaycache');
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const configure = (apiSecret: string, extra: Record<string, unknown> = {}) => t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
    { i: { organizationId: shop.orgId, type: 'SANDBOX', publicId: `pk_${shop.orgId}`, apiSecret, ...extra } }, shop.token);
  const pay = (id: string, secret: string) => sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId), { secret });

  it('a rotated secret is in force from the next callback: the old one is refused and changes nothing, the new one is taken', async () => {
    const warm = await topUp(t, shop);
    expect((await pay(warm.transactionId, shop.apiSecret)).body).toEqual({ code: 0 }); // the gateway is now cached

    const rotated = `rotated-${shop.apiSecret}`;
    expect((await configure(rotated)).body.errors).toBeUndefined();
    const { transactionId: id } = await topUp(t, shop);
    const old = await pay(id, shop.apiSecret);
    expect(old.status).toBe(401);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('PENDING');
    expect(await t.deps.db.gatewayCallback.count({ where: { paymentId: id, verdict: 'VALID' } })).toBe(0);

    expect((await pay(id, rotated)).body).toEqual({ code: 0 });
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('CONFIRMED');
    // And the old secret stays refused once the new one is the cached one.
    const next = await topUp(t, shop);
    expect((await pay(next.transactionId, shop.apiSecret)).status).toBe(401);
    shop.apiSecret = rotated;
  });

  it('a rotated secret is refused for a payment that does not exist too (no VALID callback row is kept)', async () => {
    const { transactionId } = await topUp(t, shop);
    expect((await pay(transactionId, shop.apiSecret)).body).toEqual({ code: 0 }); // cached
    const rotated = `again-${shop.apiSecret}`;
    expect((await configure(rotated)).body.errors).toBeUndefined();
    const res = await pay('pay_does_not_exist', shop.apiSecret);
    expect(res.status).toBe(401);
    expect(await t.deps.db.gatewayCallback.count({ where: { gatewayId: shop.gatewayId, verdict: 'VALID', paymentId: null } })).toBe(0);
    shop.apiSecret = rotated;
  });
});

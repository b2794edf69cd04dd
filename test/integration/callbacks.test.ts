// Gateway callbacks over real HTTP: signatures, Check codes, duplicates, late and out-of-order
// notifications, worker restarts and lost jobs. Exactly one credit, whatever happens.
import { SandboxStore } from '../../src/sandbox/store';
import { expirePayments } from '../../src/jobs/expire-payments';
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { balanceOf, ledgerInvariant, makeShop, outboxDrained, SEED_STATUS, topUp, type Shop, plus } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

describe('gateway callbacks', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('callbacks', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const notify = (kind: string, fields: Record<string, string | number | undefined>, options: Parameters<typeof sendNotification>[4] = {}) =>
    sendNotification(t.url, shop.gatewayId, kind, fields, { secret: shop.apiSecret, ...options });
  const status = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;
  const credits = (paymentId: string) => t.deps.db.ledgerEntry.count({ where: { paymentId, kind: 'TOP_UP' } });

  describe('Check', () => {
    it.each([
      ['a payable payment', 0, {}],
      ['an unknown invoice', 10, { InvoiceId: 'pay_doesnotexist0000000000000' }],
      ['no invoice at all', 10, { InvoiceId: undefined }],
      ['another AccountId', 11, { AccountId: 'client_other' }],
      ['another amount', 12, { Amount: '499.99' }],
      ['another currency', 12, { Currency: 'USD' }],
    ])('%s answers code %d', async (_what, code, patch) => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('check', { ...payFields(transactionId, shop.clientId), ...patch });
      expect(res).toEqual({ status: 200, body: { code } });
      expect((await status(transactionId)).status).toBe('PENDING');
    });

    it('an inactive client answers 11', async () => {
      const other = await makeShop(t, { clientId: 'client_inactive' });
      const { transactionId } = await topUp(t, other);
      await t.gql('mutation { upsertClient(input: { id: "client_inactive", isActive: false }) { id } }', {}, other.token);
      const res = await sendNotification(t.url, other.gatewayId, 'check', payFields(transactionId, 'client_inactive'), { secret: other.apiSecret });
      expect(res.body).toEqual({ code: 11 });
    });

    it('a paid payment answers 13, an expired one 20, a cancelled one 13', async () => {
      const paid = await topUp(t, shop);
      await notify('pay', payFields(paid.transactionId, shop.clientId));
      expect((await notify('check', payFields(paid.transactionId, shop.clientId))).body).toEqual({ code: 13 });

      const late = await topUp(t, shop);
      await t.deps.db.payment.update({ where: { id: late.transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await notify('check', payFields(late.transactionId, shop.clientId))).body).toEqual({ code: 20 });

      const cancelled = await topUp(t, shop);
      await t.gql('mutation($id: ID!) { cancelPayment(id: $id) { status } }', { id: cancelled.transactionId }, shop.token);
      expect((await notify('check', payFields(cancelled.transactionId, shop.clientId))).body).toEqual({ code: 13 });
    });
  });

  describe('signatures', () => {
    it.each([
      ['no signature', { headers: 'none' as const }, 'MISSING'],
      ['a signature with another secret', { secret: 'not-the-secret' }, 'INVALID'],
      ['a tampered body', { tamper: (b: string) => b.replace('Amount=500.00', 'Amount=5.00') }, 'INVALID'],
    ])('%s: 401, stored with its verdict, nothing changes', async (_what, options, verdict) => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('pay', payFields(transactionId, shop.clientId), options);
      expect(res.status).toBe(401);
      expect((await status(transactionId)).status).toBe('PENDING');
      const stored = await t.deps.db.gatewayCallback.findFirst({ where: { gatewayId: shop.gatewayId, kind: 'pay' }, orderBy: { receivedAt: 'desc' } });
      expect(stored?.verdict).toBe(verdict);
      expect(stored?.body).toMatchObject({ InvoiceId: transactionId });
    });

    it('X-Content-HMAC alone is never enough: 401, stored MISSING, nothing changes', async () => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('pay', payFields(transactionId, shop.clientId), { headers: 'x' });
      expect(res.status).toBe(401);
      expect((await status(transactionId)).status).toBe('PENDING');
    });

    it.each([
      ['Content-HMAC alone', { headers: 'content' as const }],
      ['a JSON body', { json: true }],
    ])('%s is accepted', async (_what, options) => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('pay', payFields(transactionId, shop.clientId, '500.00', { Description: 'Пополнение баланса & co' }), options);
      expect(res).toEqual({ status: 200, body: { code: 0 } });
      expect((await status(transactionId)).status).toBe('CONFIRMED');
    });

    it('keeps the signed body, but never a card token', async () => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('pay', payFields(transactionId, shop.clientId, '500.00', { Token: 'tk_reusable_card_token' }));
      expect(res.body).toEqual({ code: 0 });
      const stored = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { paymentId: transactionId, kind: 'pay' } });
      expect(stored.body).toMatchObject({ InvoiceId: transactionId, CardFirstSix: '411111' });
      expect(stored.body).not.toHaveProperty('Token');
      expect(stored.bodySha256).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored) + t.logs()).not.toContain('tk_reusable_card_token');
    });

    it('an unknown gateway or kind is a 404', async () => {
      expect((await sendNotification(t.url, 'gw_unknown', 'pay', {}, { secret: 'x' })).status).toBe(404);
      expect((await sendNotification(t.url, shop.gatewayId, 'explode', {}, { secret: shop.apiSecret })).status).toBe(404);
    });
  });

  describe('exactly once', () => {
    it('the same Pay 20 times at once, and again after a worker restart: one credit', async () => {
      await outboxDrained(t); // credits of earlier tests must not land in this one's balance
      const before = await balanceOf(t, shop);
      const { transactionId } = await topUp(t, shop);
      const fields = payFields(transactionId, shop.clientId);
      const answers = await Promise.all(Array.from({ length: 20 }, () => notify('pay', fields)));
      expect(answers.every((a) => a.status === 200 && a.body.code === 0)).toBe(true);
      await waitFor(() => credits(transactionId), (n) => n === 1);

      await t.stopWorkers();
      await Promise.all(Array.from({ length: 5 }, () => notify('pay', fields)));
      await t.startWorkers();
      await new Promise((r) => setTimeout(r, 500));
      expect(await credits(transactionId)).toBe(1);
      expect(await balanceOf(t, shop)).toBe(plus(before, 500));
      expect((await status(transactionId)).history.filter((e: any) => e.toStatus === 'CONFIRMED')).toHaveLength(1);
      expect(await t.deps.db.gatewayCallback.count({ where: { paymentId: transactionId, kind: 'pay' } })).toBe(25);
      const inv = await ledgerInvariant(t, shop);
      expect(inv.balance).toBe(inv.sum);
    });

    it('a Fail after a Pay never undoes it', async () => {
      const { transactionId } = await topUp(t, shop);
      await notify('pay', payFields(transactionId, shop.clientId));
      const res = await notify('fail', { ...payFields(transactionId, shop.clientId), Reason: 'InsufficientFunds', ReasonCode: 5051 });
      expect(res.body).toEqual({ code: 0 });
      const p = await status(transactionId);
      expect(p.status).toBe('CONFIRMED');
      await waitFor(() => credits(transactionId), (n) => n === 1);
    });

    it('a Pay after the payment was expired and cancelled: CONFIRMED and credited, history says why', async () => {
      const { transactionId } = await topUp(t, shop);
      await t.deps.db.payment.update({ where: { id: transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expirePayments(t.deps);
      expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).toMatchObject({ status: 'CANCELLED', failureCode: 'EXPIRED' });
      expect((await notify('check', payFields(transactionId, shop.clientId))).body).toEqual({ code: 20 });

      await notify('pay', payFields(transactionId, shop.clientId));
      const p = await status(transactionId);
      expect(p.status).toBe('CONFIRMED');
      expect(p.history.map((e: any) => [e.fromStatus, e.toStatus, e.actor])).toEqual([
        [null, 'PENDING', expect.stringMatching(/^token:/)],
        ['PENDING', 'CANCELLED', 'system:expiry'],
        ['CANCELLED', 'CONFIRMED', `gateway:${shop.gatewayId}`],
      ]);
      expect(p.history[2].reason).toMatch(/after the payment was expired: the gateway took the money/);
      await waitFor(() => credits(transactionId), (n) => n === 1);
    });

    it('expiry asks the gateway first: a payment it reports paid (its Pay lost) ends credited', async () => {
      const { transactionId } = await topUp(t, shop, { amount: 42 });
      // The sandbox took the money, but its Pay notification never reached us.
      const store = new SandboxStore(t.deps.redis, t.deps.config.queuePrefix);
      await store.saveTransaction({
        id: await store.nextTransactionId(), gatewayId: shop.gatewayId, invoiceId: transactionId, accountId: shop.clientId, amount: '42.00',
        currency: 'RUB', status: 'Completed', operationType: 'Payment', reason: 'Approved', reasonCode: 0, refunded: '0', createdAt: new Date().toISOString(),
      });
      await t.deps.db.payment.update({ where: { id: transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expirePayments(t.deps);
      const p = await status(transactionId);
      expect(p.status).toBe('CONFIRMED');
      expect(p.history.at(-1).actor).toBe('system:expiry');
      await waitFor(() => credits(transactionId), (n) => n === 1);
    });

    it('one payment that cannot be expired does not stop expiry of the others; its callbacks are asked for again', async () => {
      const broken = await makeShop(t);
      const stuck = await topUp(t, broken);
      const fine = await topUp(t, shop);
      await t.deps.db.payment.updateMany({ where: { id: { in: [stuck.transactionId, fine.transactionId] } }, data: { expiresAt: new Date(Date.now() - 1000), updatedAt: new Date(0) } });
      // its secret was sealed with a key this server no longer has
      await t.deps.db.paymentGateway.update({ where: { id: broken.gatewayId }, data: { apiSecretEncrypted: 'v1.00000000.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' } });
      const counts = await expirePayments(t.deps);
      expect(counts).toMatchObject({ failed: 1, expired: expect.any(Number) });
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: fine.transactionId } })).status).toBe('CANCELLED');
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: stuck.transactionId } })).status).toBe('PENDING');
      const res = await sendNotification(t.url, broken.gatewayId, 'pay', payFields(stuck.transactionId, broken.clientId), { secret: broken.apiSecret });
      expect(res.status).toBe(503);
    });

    it('a credit whose wake-up was lost (no consumer listening, as in a crash or a Redis restart) is still booked from Postgres', async () => {
      await t.stopWorkers();
      const { transactionId } = await topUp(t, shop);
      // Its wake-up goes out now, with no consumer to hear it.
      await notify('pay', payFields(transactionId, shop.clientId));
      expect(await t.deps.db.outbox.findUnique({ where: { key: `credit-${transactionId}` } })).toMatchObject({ status: 'PENDING' });
      await t.startWorkers();
      await waitFor(() => credits(transactionId), (n) => n === 1, { timeoutMs: 20_000 });
      expect(await t.deps.db.outbox.findUnique({ where: { key: `credit-${transactionId}` } })).toMatchObject({ status: 'DONE' });
    });
  });

  describe('unusual notifications', () => {
    it('a Pay for another amount is not applied and is flagged', async () => {
      const { transactionId } = await topUp(t, shop);
      expect((await notify('pay', payFields(transactionId, shop.clientId, '5000.00'))).body).toEqual({ code: 0 });
      const p = await status(transactionId);
      expect(p.status).toBe('PENDING');
      expect(p.history.at(-1).reason).toMatch(/not applied, manual handling/);
    });

    it('a second, different Pay for a paid invoice is flagged, not credited', async () => {
      const { transactionId } = await topUp(t, shop);
      await notify('pay', payFields(transactionId, shop.clientId));
      await notify('pay', payFields(transactionId, shop.clientId));
      const p = await status(transactionId);
      expect(p.history.at(-1).reason).toMatch(/second payment .* refund it manually/);
      await waitFor(() => credits(transactionId), (n) => n === 1);
    });

    it('Pay with Status=Authorized holds the money (AUTHORIZED), Confirm completes it', async () => {
      const { transactionId } = await topUp(t, shop);
      const fields = payFields(transactionId, shop.clientId, '500.00', { Status: 'Authorized' });
      await notify('pay', fields);
      expect((await status(transactionId)).status).toBe('AUTHORIZED');
      expect(await credits(transactionId)).toBe(0);
      await notify('confirm', { ...fields, Status: 'Completed' });
      expect((await status(transactionId)).status).toBe('CONFIRMED');
      await waitFor(() => credits(transactionId), (n) => n === 1);
    });

    it('a late Fail or Cancel of an earlier attempt does not release a later hold', async () => {
      const { transactionId } = await topUp(t, shop);
      const hold = payFields(transactionId, shop.clientId, '500.00', { Status: 'Authorized' });
      await notify('pay', hold);
      const earlier = { ...payFields(transactionId, shop.clientId), Reason: 'InsufficientFunds', ReasonCode: 5051 };
      expect((await notify('fail', earlier)).body).toEqual({ code: 0 });
      expect((await notify('cancel', payFields(transactionId, shop.clientId))).body).toEqual({ code: 0 });
      expect((await status(transactionId)).status).toBe('AUTHORIZED');
      // the hold's own Cancel (a void) does release it, and a retried Pay for it cannot revive it
      await notify('cancel', { ...hold });
      expect((await status(transactionId)).status).toBe('CANCELLED');
      await notify('pay', hold);
      expect((await status(transactionId)).status).toBe('CANCELLED');
    });

    it('a Refund notification that arrives before its payment is settled is asked for again later', async () => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('refund', { TransactionId: '91', PaymentTransactionId: '90', Amount: '500.00', InvoiceId: transactionId });
      expect(res.status).toBe(503);
      expect(res.body.code).not.toBe(0);
      expect(await t.deps.db.refund.count({ where: { paymentId: transactionId } })).toBe(0);
    });

    it('a Refund notification without our refund id settles our pending refund of the same amount', async () => {
      const { transactionId } = await topUp(t, shop);
      const pay = payFields(transactionId, shop.clientId);
      await notify('pay', pay);
      await waitFor(() => credits(transactionId), (n) => n === 1);
      // our refund call timed out: PENDING, no gateway id
      await t.deps.db.refund.create({ data: { id: 'ref_timedout000000000000000', organizationId: shop.orgId, paymentId: transactionId, amount: '200', actor: 'test' } });
      await notify('refund', { TransactionId: '7001', PaymentTransactionId: String(pay.TransactionId), Amount: '200.00', InvoiceId: transactionId });
      const refunds = await t.deps.db.refund.findMany({ where: { paymentId: transactionId } });
      expect(refunds.map((r) => [r.id, r.status, r.gatewayRefundId])).toEqual([['ref_timedout000000000000000', 'SUCCEEDED', '7001']]);
      await waitFor(() => status(transactionId), (p) => p.status === 'PARTIALLY_REFUNDED');
    });

    it('Cancel cancels a pending payment; Recurrent and Receipt are recorded and answered', async () => {
      const { transactionId } = await topUp(t, shop);
      expect((await notify('cancel', payFields(transactionId, shop.clientId))).body).toEqual({ code: 0 });
      expect((await status(transactionId)).status).toBe('CANCELLED');
      expect((await notify('recurrent', { Id: 'sc_1', AccountId: shop.clientId, TransactionId: '1', Amount: '1.00' })).body).toEqual({ code: 0 });
      expect((await notify('receipt', { TransactionId: '1', Amount: '1.00', InvoiceId: transactionId })).body).toEqual({ code: 0 });
    });
  });
});

describe('source-network allow-list (CALLBACK_IP_ALLOWLIST=true)', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('refuses callbacks from outside the gateway\'s documented networks, changing nothing', async () => {
    // Behind a trusted proxy the client address comes from X-Forwarded-For.
    t = await startTestApp('ipallow', { CALLBACK_IP_ALLOWLIST: 'true', TRUST_PROXY: '127.0.0.1' });
    const shop = await makeShop(t);
    const { transactionId } = await topUp(t, shop);
    const fields = payFields(transactionId, shop.clientId);
    const send = (ip: string) => sendNotificationFrom(t.url, shop, fields, ip);
    expect((await send('203.0.113.9')).status).toBe(403);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).status).toBe('PENDING');
    expect(await t.deps.db.gatewayCallback.findFirst({ where: { gatewayId: shop.gatewayId, error: { contains: '203.0.113.9' } } })).not.toBeNull();
    // the sandbox calls from loopback, which its adapter documents
    expect((await send('127.0.0.1')).status).toBe(200);
  });
});

async function sendNotificationFrom(url: string, shop: Shop, fields: Record<string, string | number | undefined>, ip: string) {
  const { encodeForm } = await import('../../src/gateways/cloudpayments/wire');
  const { signNotification } = await import('../../src/gateways/cloudpayments/signature');
  const body = encodeForm(fields);
  const res = await fetch(`${url}/payments/cloudpayments/${shop.gatewayId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, ...signNotification(shop.apiSecret, body, true) },
    body,
  });
  return { status: res.status };
}

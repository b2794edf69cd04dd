// The IZI document's one callback URL for every CloudPayments notification:
// POST /payments/cloudpayments/callback. The body names its payment; only that payment's gateway's
// secret verifies it; whatever nothing matches is answered and kept for a person.
import { startTestApp, type TestApp } from '../helpers/app';
import { nextTransactionId, payFields, sendNotification, type Fields } from '../helpers/callbacks';
import { balanceOf, makeShop, topUp, type Shop } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

describe('the shared CloudPayments callback URL', () => {
  let t: TestApp;
  let shop: Shop;
  let other: Shop;

  beforeAll(async () => {
    t = await startTestApp('sharedurl', {}, { workers: true });
    shop = await makeShop(t, { clientId: 'client_shared' });
    other = await makeShop(t, { clientId: 'client_other' });
  });
  afterAll(() => t.close());

  const shared = (kind: string, fields: Fields, secret: string | undefined, options: Parameters<typeof sendNotification>[4] = {}) =>
    sendNotification(t.url, 'unused', kind, fields, { secret, shared: true, ...options });
  const statusOf = async (id: string) => (await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status;
  const lastCallback = () => t.deps.db.gatewayCallback.findFirstOrThrow({ orderBy: { receivedAt: 'desc' } });

  it('is listed among every CloudPayments-protocol gateway\'s callbackUrls', async () => {
    const res = await t.gql('{ paymentGateways { id callbackUrls } }', {}, shop.token);
    const [gw] = res.body.data.paymentGateways;
    expect(gw.callbackUrls).toContain(`${t.url}/payments/cloudpayments/callback`);
    expect(gw.callbackUrls).toContain(`${t.url}/payments/cloudpayments/${gw.id}/pay`);
  });

  it('takes Check and Pay at the one URL, tells them apart by their fields, and credits once', async () => {
    const { transactionId } = await topUp(t, shop, { amount: 70 });
    const fields = payFields(transactionId, shop.clientId, '70.00');
    expect(await shared('check', fields, shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    expect(await statusOf(transactionId)).toBe('PENDING'); // a Check is never taken for a Pay
    expect(await shared('pay', fields, shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    expect(await shared('pay', fields, shop.apiSecret, { json: true })).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(() => balanceOf(t, shop), (b) => b === '70.00');
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId } })).toBe(1);
    const stored = await t.deps.db.gatewayCallback.findMany({ where: { paymentId: transactionId }, orderBy: { receivedAt: 'asc' } });
    expect(stored.map((c) => [c.kind, c.gatewayId, c.verdict])).toEqual([['check', shop.gatewayId, 'VALID'], ['pay', shop.gatewayId, 'VALID'], ['pay', shop.gatewayId, 'VALID']]);
  });

  it('a Pay naming one organization\'s payment, signed with another\'s secret, is refused and changes nothing', async () => {
    const { transactionId } = await topUp(t, shop, { amount: 80 });
    const before = await balanceOf(t, shop);
    const forged = await shared('pay', payFields(transactionId, shop.clientId, '80.00'), other.apiSecret);
    expect(forged).toEqual({ status: 401, body: { code: 13 } });
    const unsigned = await shared('pay', payFields(transactionId, shop.clientId, '80.00'), undefined);
    expect(unsigned.status).toBe(401);
    expect(await statusOf(transactionId)).toBe('PENDING');
    expect(await balanceOf(t, shop)).toBe(before);
    const stored = await t.deps.db.gatewayCallback.findMany({ where: { gatewayId: shop.gatewayId, kind: 'pay', verdict: { in: ['INVALID', 'MISSING'] } } });
    expect(stored.map((c) => c.verdict).sort()).toEqual(['INVALID', 'MISSING']);
  });

  it('each organization\'s notifications reach its own payments through the same URL', async () => {
    const { transactionId } = await topUp(t, other, { amount: 15 });
    expect(await shared('pay', payFields(transactionId, other.clientId, '15.00'), other.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(() => balanceOf(t, other), (b) => b === '15.00');
  });

  it('an unknown invoice: a Check is 10; a Pay is answered 0, credits nothing and is kept for a person', async () => {
    const unknown = 'pay_nosuchpayment000000000000';
    expect(await shared('check', payFields(unknown, shop.clientId), shop.apiSecret)).toEqual({ status: 200, body: { code: 10 } });
    const ledger = await t.deps.db.ledgerEntry.count();
    expect(await shared('pay', payFields(unknown, shop.clientId), shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    const kept = await lastCallback();
    expect(kept).toMatchObject({ gatewayId: null, kind: 'pay', verdict: 'INVALID', error: expect.stringMatching(/manual handling/) });
    // what a person needs to find the money: the allow-listed fields
    expect(kept.body).toMatchObject({ InvoiceId: unknown, Amount: '500.00', AccountId: shop.clientId });
    expect(await t.deps.db.ledgerEntry.count()).toBe(ledger);
  });

  it('without InvoiceId, the gateway of the payment holding its transaction id verifies it', async () => {
    const { transactionId } = await topUp(t, shop, { amount: 90 });
    const fields = payFields(transactionId, shop.clientId, '90.00');
    await shared('pay', fields, shop.apiSecret);
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId } }), (n) => n === 1);
    // a refund made in the dashboard, without InvoiceId: it names the payment by PaymentTransactionId
    const refund = { TransactionId: nextTransactionId(), PaymentTransactionId: fields.TransactionId, Amount: '25.00', DateTime: '2026-12-02 10:00:00' };
    expect(await shared('refund', refund, other.apiSecret)).toEqual({ status: 401, body: { code: 13 } });
    expect(await shared('refund', refund, shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(() => statusOf(transactionId), (s) => s === 'PARTIALLY_REFUNDED');
    expect((await t.deps.db.refund.findMany({ where: { paymentId: transactionId } })).map((r) => r.amount.toFixed(2))).toEqual(['25.00']);
  });

  it('holders of the same transaction id planted by other gateways do not keep the right one from verifying it', async () => {
    const { transactionId } = await topUp(t, shop, { amount: 60 });
    const fields = payFields(transactionId, shop.clientId, '60.00');
    // Six gateways of another organization made to hold this transaction id first.
    for (let i = 0; i < 6; i++) {
      const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: other.orgId, type: 'SANDBOX', publicId: `pk_plant_${i}`, apiSecret: `plant-${i}` } }, other.token);
      await t.deps.db.payment.create({
        data: {
          id: `pay_planted${i}${'0'.repeat(17)}`, organizationId: other.orgId, environment: 'TEST', clientId: other.clientId, clubId: other.clubId,
          gatewayId: gw.body.data.configurePaymentGateway.id, gatewayType: 'SANDBOX', amount: '1', currency: 'RUB', status: 'CONFIRMED',
          expiresAt: new Date(), gatewayTransactionId: String(fields.TransactionId), createdAt: new Date(Date.now() - 86_400_000),
        },
      });
    }
    await shared('pay', fields, shop.apiSecret);
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId } }), (n) => n === 1);
    const refund = { TransactionId: nextTransactionId(), PaymentTransactionId: fields.TransactionId, Amount: '60.00', DateTime: '2026-12-02 10:00:00' };
    expect(await shared('refund', refund, shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(() => statusOf(transactionId), (s) => s === 'REFUNDED');
  });

  it('a body naming nothing of ours (a recurring charge) is answered 0 and kept; a body that is no notification is refused', async () => {
    const recurrent = { Id: 'sc_unknown', AccountId: shop.clientId, Amount: '10.00', Email: 'a@example.com' };
    expect(await shared('recurrent', recurrent, shop.apiSecret)).toEqual({ status: 200, body: { code: 0 } });
    expect(await lastCallback()).toMatchObject({ gatewayId: null, kind: 'recurrent', verdict: 'INVALID' });
    const junk = await fetch(`${t.url}/payments/cloudpayments/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    expect(junk.status).toBe(401);
  });
});

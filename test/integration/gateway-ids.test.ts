// payment(id:) and refundPayment take Paygate's id or the gateway's transaction id (the AACFlow
// block asks by the gateway's), within the key's organization and environment only.
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, SEED_STATUS, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const REFUND = 'mutation($input: RefundInput!) { refundPayment(input: $input) { success refundId amount } }';

describe("the gateway's transaction id names a payment", () => {
  let t: TestApp;
  let shop: Shop;
  let paymentId: string;
  let txn: string;

  beforeAll(async () => {
    t = await startTestApp('gatewayids', {}, { workers: true });
    shop = await makeShop(t);
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 300 });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => balanceOf(t, shop), (b) => b === '300.00');
    paymentId = transactionId;
    txn = (await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).gatewayTransactionId!;
    expect(txn).toMatch(/^\d+$/);
  });
  afterAll(() => t.close());

  const status = async (token: string, id: string) => t.gql(SEED_STATUS, { transactionId: id }, token);

  it('payment(id:) answers the same payment for either id', async () => {
    const byOurs = (await status(shop.token, paymentId)).body.data.payment;
    const byGateway = (await status(shop.token, txn)).body.data.payment;
    expect(byGateway).toEqual(byOurs);
    expect(byGateway).toMatchObject({ id: paymentId, gatewayTransactionId: txn, status: 'CONFIRMED' });
  });

  it('refundPayment by the gateway\'s id refunds, and its idempotencyKey is the same request by either id', async () => {
    const first = await t.gql(REFUND, { input: { transactionId: txn, amount: '40.00', idempotencyKey: 'by-gateway-id' } }, shop.token);
    expect(first.body.data.refundPayment).toMatchObject({ success: true, amount: '40.00' });
    const again = await t.gql(REFUND, { input: { transactionId: paymentId, amount: 40, idempotencyKey: 'by-gateway-id' } }, shop.token);
    expect(again.body.data.refundPayment.refundId).toBe(first.body.data.refundPayment.refundId);
    await waitFor(() => balanceOf(t, shop), (b) => b === '260.00');
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(1);
  });

  it('another environment or organization finds nothing by it, and changes nothing', async () => {
    const other = await makeShop(t);
    for (const token of [shop.liveToken, other.token]) {
      expect((await status(token, txn)).body.data.payment).toBeNull();
      const res = await t.gql(REFUND, { input: { transactionId: txn } }, token);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(1);
  });

  it('a transaction id two gateways share is BAD_USER_INPUT naming both payments', async () => {
    const second = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: shop.orgId, type: 'SANDBOX', publicId: 'pk_second', apiSecret: 'second-secret' } }, shop.token);
    const other = await t.deps.db.payment.create({
      data: {
        id: 'pay_sharedtxn000000000000000', organizationId: shop.orgId, environment: 'TEST', clientId: shop.clientId, clubId: shop.clubId,
        gatewayId: second.body.data.configurePaymentGateway.id, gatewayType: 'SANDBOX', amount: '1', currency: 'RUB',
        expiresAt: new Date(Date.now() + 60_000), gatewayTransactionId: txn,
      },
    });
    const read = await status(shop.token, txn);
    expect(read.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    expect(read.body.errors?.[0].message).toContain(paymentId);
    expect(read.body.errors?.[0].message).toContain(other.id);
    const refund = await t.gql(REFUND, { input: { transactionId: txn } }, shop.token);
    expect(refund.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'transactionId' } });
    expect(await t.deps.db.refund.count({ where: { paymentId: { in: [paymentId, other.id] } } })).toBe(1);
    // Paygate's own id still answers
    expect((await status(shop.token, other.id)).body.data.payment.id).toBe(other.id);
  });
});

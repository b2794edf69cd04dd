// The seed documents' own operations, verbatim where they give them, as a merchant following them
// would run them: an ADMIN key configures the gateway, the dashboard's one callback URL takes
// Check and Pay, status and refund are asked by the gateway's transaction id, the client is in KZT.
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { payFields, shapeFor } from '../helpers/callbacks';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { SEED_INITIATE, SEED_STATUS } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

const SEED_CONFIGURE = 'mutation ConfigurePaymentGateway($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id type isActive publicId callbackUrls } }';
const SEED_REFUND = 'mutation RefundPayment($input: RefundInput!) { refundPayment(input: $input) { success refundId amount } }';

it('ADMIN key, one callback URL, the gateway\'s ids and a KZT client: the whole seed flow', async () => {
  const secret = 'seed-flow-secret';
  const cp = new CloudPaymentsSimulator({ pk_seed: secret });
  await cp.start();
  const t: TestApp = await startTestApp('seedflow', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
  try {
    const { orgId } = await makeOrg(t.deps);
    const { token: admin } = await makeToken(t.deps, orgId, 'ADMIN', { environment: 'TEST' });
    // a CloudPayments site in test mode, configured with a TEST ADMIN key
    const gw = await t.gql(SEED_CONFIGURE, { input: { organizationId: orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_seed', apiSecret: secret, description: 'Main acquirer' } }, admin);
    expect(gw.body.errors).toBeUndefined();
    const shared = `${t.url}/payments/cloudpayments/callback`;
    expect(gw.body.data.configurePaymentGateway.callbackUrls).toContain(shared);

    await t.gql('mutation { upsertClub(input: { id: "club_abc123", name: "Almaty" }) { id } upsertClient(input: { id: "client_xyz", clubId: "club_abc123", name: "Aigerim", currency: "KZT" }) { id } }', {}, admin);
    const initiated = await t.gql(SEED_INITIATE, { input: { clientId: 'client_xyz', clubId: 'club_abc123', amount: 5000, returnUrl: 'https://yourapp.example.com/payment/success', description: 'Balance top-up' } }, admin);
    const { transactionId } = initiated.body.data.initiateTopUpPayment;

    const txn = cp.payInvoice(transactionId);
    const fields = payFields(transactionId, 'client_xyz', '5000.00', { TransactionId: txn.TransactionId, Currency: 'KZT', PaymentCurrency: 'KZT' });
    expect(await cp.notify(shared, 'pk_seed', shapeFor('check', fields))).toEqual({ status: 200, body: { code: 0 } });
    expect(await cp.notify(shared, 'pk_seed', shapeFor('pay', fields))).toEqual({ status: 200, body: { code: 0 } });

    const gatewayId = String(fields.TransactionId);
    const paid = await waitFor(async () => (await t.gql(SEED_STATUS, { transactionId: gatewayId }, admin)).body.data.payment, (p) => p?.status === 'CONFIRMED');
    expect(paid).toMatchObject({ id: transactionId, amount: '5000.00', clientId: 'client_xyz', gatewayTransactionId: gatewayId });
    await waitFor(async () => (await t.gql('{ client(id: "client_xyz") { balance currency } }', {}, admin)).body.data.client, (c) => c.balance === '5000.00' && c.currency === 'KZT');

    const refund = await t.gql(SEED_REFUND, { input: { transactionId: gatewayId, amount: 1500, reason: 'Client request' } }, admin);
    expect(refund.body.data.refundPayment).toMatchObject({ success: true, amount: '1500.00' });
    await waitFor(async () => (await t.gql('{ client(id: "client_xyz") { balance } }', {}, admin)).body.data.client.balance, (b) => b === '3500.00');
    expect((await t.gql(SEED_STATUS, { transactionId: gatewayId }, admin)).body.data.payment.status).toBe('PARTIALLY_REFUNDED');
  } finally {
    await t.close();
    await cp.stop();
  }
});

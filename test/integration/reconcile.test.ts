// Reconciliation: the gateway is asked, and what its callbacks did not tell us is applied.
import { SandboxStore } from '../../src/sandbox/store';
import { reconcilePayments } from '../../src/jobs/reconcile-payments';
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, SEED_STATUS, topUp, type Shop, outboxDrained, plus } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

describe('reconciliation', () => {
  let t: TestApp;
  let shop: Shop;
  let store: SandboxStore;

  beforeAll(async () => {
    t = await startTestApp('reconcile', {}, { workers: true });
    shop = await makeShop(t);
    store = new SandboxStore(t.deps.redis, t.deps.config.queuePrefix);
  });
  afterAll(() => t.close());

  const status = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;
  const reconcile = (id: string, token = shop.token) => t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { id status } }', { id }, token);

  /** The gateway took the money, but its Pay notification never reached us. */
  async function lostPay(invoiceId: string, amount: string, txStatus: 'Completed' | 'Authorized' | 'Declined' = 'Completed') {
    await store.saveTransaction({
      id: await store.nextTransactionId(), gatewayId: shop.gatewayId, invoiceId, accountId: shop.clientId, amount, currency: 'RUB',
      status: txStatus, operationType: 'Payment', reason: txStatus === 'Declined' ? 'InsufficientFunds' : 'Approved',
      reasonCode: txStatus === 'Declined' ? 5051 : 0, refunded: '0', createdAt: new Date().toISOString(),
    });
  }

  it('reconcilePayment applies a lost Pay: CONFIRMED, credited, history says reconciled', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const { transactionId } = await topUp(t, shop, { amount: 75 });
    expect((await reconcile(transactionId)).body.data.reconcilePayment.status).toBe('PENDING'); // nothing at the gateway yet
    await lostPay(transactionId, '75.00');
    expect((await reconcile(transactionId)).body.data.reconcilePayment.status).toBe('CONFIRMED');
    const p = await status(transactionId);
    expect(p.history.at(-1)).toMatchObject({ toStatus: 'CONFIRMED', reason: 'paid (reconciled with the gateway)', actor: expect.stringMatching(/^token:/) });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 75));
    expect((await reconcile(transactionId)).body.data.reconcilePayment.status).toBe('CONFIRMED'); // again: nothing more
  });

  it('applies a decline the Fail notification never brought', async () => {
    const { transactionId } = await topUp(t, shop);
    await lostPay(transactionId, '500.00', 'Declined');
    expect((await reconcile(transactionId)).body.data.reconcilePayment.status).toBe('FAILED');
  });

  it('the job asks about payments close to expiry', async () => {
    const { transactionId } = await topUp(t, shop, { amount: 12 });
    await lostPay(transactionId, '12.00');
    await t.deps.db.payment.update({ where: { id: transactionId }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    expect(await reconcilePayments(t.deps)).toBeGreaterThanOrEqual(1);
    const p = await status(transactionId);
    expect(p.status).toBe('CONFIRMED');
    expect(p.history.at(-1).actor).toBe('system:reconcile');
  });

  it('is scoped to the organization', async () => {
    const { transactionId } = await topUp(t, shop);
    const other = await makeShop(t);
    expect((await reconcile(transactionId, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

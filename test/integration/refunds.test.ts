// Refunds and spending: never more than what is left, the balance never below zero, what was
// already spent recorded as a shortfall, exactly once whatever order the gateway's answers come in.
import { startTestApp, type TestApp } from '../helpers/app';
import { sendNotification, nextTransactionId } from '../helpers/callbacks';
import { balanceOf, ledgerInvariant, makeShop, SEED_STATUS, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

// The seed's refund mutation, verbatim.
const SEED_REFUND = `mutation RefundPayment($input: RefundInput!) { refundPayment(input: $input) { success refundId amount }}`;
const DEBIT = 'mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id kind amount balanceAfter reason } }';

describe('refunds and debits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('refunds', {}, { workers: true });
  });
  afterAll(() => t.close());

  /** A fresh client with a paid, credited top-up of `amount`. */
  async function paid(amount = 500): Promise<{ shop: Shop; paymentId: string }> {
    const shop = await makeShop(t, { clientId: `client_${Math.random().toString(36).slice(2, 10)}` });
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => balanceOf(t, shop), (b) => b === amount.toFixed(2));
    return { shop, paymentId: transactionId };
  }
  const payment = async (shop: Shop, id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;
  const refund = (shop: Shop, input: Record<string, unknown>) => t.gql(SEED_REFUND, { input }, shop.token);

  it('a full refund: gateway accepts, status REFUNDED, balance debited once though the Refund notification also arrives', async () => {
    const { shop, paymentId } = await paid(500);
    const res = await refund(shop, { transactionId: paymentId, reason: 'Client request' });
    expect(res.body.data.refundPayment).toEqual({ success: true, refundId: expect.stringMatching(/^ref_/), amount: '500.00' });
    const p = await waitFor(() => payment(shop, paymentId), (x) => x.status === 'REFUNDED');
    expect(p.refunds).toEqual([{ id: res.body.data.refundPayment.refundId, amount: '500.00', shortfall: '0.00' }]);
    expect(await balanceOf(t, shop)).toBe('0.00');
    // the sandbox's Refund notification came and changed nothing
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId, kind: 'refund' } }), (n) => n === 1);
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(1);
    expect(await t.deps.db.ledgerEntry.count({ where: { clientId: shop.clientId, kind: 'REFUND', paymentId } })).toBe(1);
    const inv = await ledgerInvariant(t, shop);
    expect(inv.balance).toBe(inv.sum);
  });

  it('partial refunds: PARTIALLY_REFUNDED, then REFUNDED when nothing is left', async () => {
    const { shop, paymentId } = await paid(500);
    expect((await refund(shop, { transactionId: paymentId, amount: '200.00' })).body.data.refundPayment.success).toBe(true);
    await waitFor(() => payment(shop, paymentId), (x) => x.status === 'PARTIALLY_REFUNDED');
    expect(await balanceOf(t, shop)).toBe('300.00');
    const rest = await refund(shop, { transactionId: paymentId });
    expect(rest.body.data.refundPayment.amount).toBe('300.00');
    const p = await waitFor(() => payment(shop, paymentId), (x) => x.status === 'REFUNDED');
    expect(p.history.map((e: any) => e.toStatus)).toEqual(['PENDING', 'CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
    expect(await balanceOf(t, shop)).toBe('0.00');
  });

  it('never refunds more than what is left; nothing is written', async () => {
    const { shop, paymentId } = await paid(500);
    for (const amount of ['500.01', 600, '-1', '0', '12.345', '1e400']) {
      const res = await refund(shop, { transactionId: paymentId, amount });
      expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await refund(shop, { transactionId: paymentId, amount: 600 })).body.errors?.[0].message).toMatch(/exceeds what is left to refund \(500.00 RUB\)/);
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(0);
    expect(await balanceOf(t, shop)).toBe('500.00');
  });

  it('concurrent refunds of one payment cannot exceed it', async () => {
    const { shop, paymentId } = await paid(500);
    const results = await Promise.all(Array.from({ length: 6 }, () => refund(shop, { transactionId: paymentId, amount: 200 })));
    const ok = results.filter((r) => r.body.data?.refundPayment?.success);
    expect(ok).toHaveLength(2);
    expect(results.filter((r) => r.body.errors?.[0].extensions?.code === 'BAD_USER_INPUT')).toHaveLength(4);
    await waitFor(() => payment(shop, paymentId), (x) => x.refunds.length === 2 && x.status === 'PARTIALLY_REFUNDED');
    await waitFor(() => balanceOf(t, shop), (b) => b === '100.00');
    const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    expect(p.refundedAmount.toFixed(2)).toBe('400.00');
  });

  it('a refund after the balance was spent debits what is left and records the shortfall', async () => {
    const { shop, paymentId } = await paid(500);
    const spent = await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: 400, reason: 'Personal training x4' } }, shop.token);
    expect(spent.body.data.debitBalance).toMatchObject({ kind: 'SPEND', amount: '-400.00', balanceAfter: '100.00' });
    expect((await refund(shop, { transactionId: paymentId })).body.data.refundPayment.success).toBe(true);
    const p = await waitFor(() => payment(shop, paymentId), (x) => x.status === 'REFUNDED');
    expect(p.refunds[0]).toMatchObject({ amount: '500.00', shortfall: '400.00' });
    expect(p.history.at(-1).reason).toMatch(/400.00 already spent: shortfall for manual handling/);
    expect(await balanceOf(t, shop)).toBe('0.00');
    const entries = await t.deps.db.ledgerEntry.findMany({ where: { clientId: shop.clientId }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.kind, e.amount.toFixed(2), e.balanceAfter.toFixed(2)])).toEqual([
      ['TOP_UP', '500.00', '500.00'], ['SPEND', '-400.00', '100.00'], ['REFUND', '-100.00', '0.00'],
    ]);
  });

  it('refuses refunds of unpaid or restricted payments and of other organizations\' payments', async () => {
    const { shop, paymentId } = await paid(100);
    const pending = await topUp(t, shop, { amount: 50 });
    expect((await refund(shop, { transactionId: pending.transactionId })).body.errors?.[0].message).toMatch(/is PENDING: only CONFIRMED or PARTIALLY_REFUNDED/);
    await t.deps.db.payment.update({ where: { id: paymentId }, data: { restrictRefund: true } });
    expect((await refund(shop, { transactionId: paymentId })).body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/restricted/), extensions: { code: 'BAD_USER_INPUT' } });
    await t.deps.db.payment.update({ where: { id: paymentId }, data: { restrictRefund: false } });
    const other = await makeShop(t);
    expect((await refund(other, { transactionId: paymentId })).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(0);
  });

  it('is idempotent with idempotencyKey: same input → the first result; other input → CONFLICT', async () => {
    const { shop, paymentId } = await paid(500);
    const first = await refund(shop, { transactionId: paymentId, amount: 100, idempotencyKey: 'rf-1' });
    const again = await Promise.all([1, 2, 3].map(() => refund(shop, { transactionId: paymentId, amount: 100, idempotencyKey: 'rf-1' })));
    for (const r of again) expect(r.body.data.refundPayment).toEqual(first.body.data.refundPayment);
    const conflict = await refund(shop, { transactionId: paymentId, amount: 150, idempotencyKey: 'rf-1' });
    expect(conflict.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    await waitFor(() => balanceOf(t, shop), (b) => b === '400.00');
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(1);
  });

  it('books a refund made in the gateway dashboard from its Refund notification, once', async () => {
    const { shop, paymentId } = await paid(500);
    const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const fields = { TransactionId: nextTransactionId(), PaymentTransactionId: p.gatewayTransactionId!, Amount: '120.00', DateTime: '2026-11-23 12:00:00', OperationType: 'Refund', InvoiceId: paymentId, AccountId: shop.clientId };
    for (let i = 0; i < 3; i++) {
      expect(await sendNotification(t.url, shop.gatewayId, 'refund', fields, { secret: shop.apiSecret })).toEqual({ status: 200, body: { code: 0 } });
    }
    const after = await waitFor(() => payment(shop, paymentId), (x) => x.status === 'PARTIALLY_REFUNDED');
    expect(after.refunds).toEqual([expect.objectContaining({ amount: '120.00', shortfall: '0.00' })]);
    expect(await balanceOf(t, shop)).toBe('380.00');
  });

  it('debitBalance never goes below zero, even concurrently, and is idempotent', async () => {
    const { shop } = await paid(100);
    const tooMuch = await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: '100.01', reason: 'x' } }, shop.token);
    expect(tooMuch.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/insufficient balance/) });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.gql(DEBIT, { i: { clientId: shop.clientId, amount: 30, reason: `visit ${i}` } }, shop.token)));
    expect(results.filter((r) => r.body.data?.debitBalance)).toHaveLength(3);
    expect(await balanceOf(t, shop)).toBe('10.00');
    // a refusal quotes the balance it was refused against, not one read before a concurrent debit
    for (const r of results.filter((x) => x.body.errors)) expect(r.body.errors?.[0].message).toBe(`insufficient balance: client ${shop.clientId} has 10.00 RUB`);
    const once = await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: 5, reason: 'drink', idempotencyKey: 'd-1' } }, shop.token);
    const twice = await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: 5, reason: 'drink', idempotencyKey: 'd-1' } }, shop.token);
    expect(twice.body.data.debitBalance).toEqual(once.body.data.debitBalance);
    expect((await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: 6, reason: 'drink', idempotencyKey: 'd-1' } }, shop.token)).body.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await balanceOf(t, shop)).toBe('5.00');
    const inv = await ledgerInvariant(t, shop);
    expect(inv.balance).toBe(inv.sum);
  });
});

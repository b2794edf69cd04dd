// Two-stage payments through the sandbox: the card is authorized, then captured or voided.
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, SEED_STATUS, topUp, type Shop, outboxDrained } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

describe('two-stage payments', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('twostage', {}, { workers: true });
    shop = await makeShop(t, { twoStage: true });
  });
  afterAll(() => t.close());

  const status = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;
  const capture = (id: string, amount?: unknown) => t.gql('mutation($id: ID!, $amount: Decimal) { capturePayment(id: $id, amount: $amount) { id status amount } }', { id, amount }, shop.token);
  const voidIt = (id: string) => t.gql('mutation($id: ID!) { voidPayment(id: $id) { id status } }', { id }, shop.token);
  const credits = (paymentId: string) => t.deps.db.ledgerEntry.count({ where: { paymentId, kind: 'TOP_UP' } });

  async function authorized(amount = 500) {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount });
    await payWithCard(paymentUrl, CARDS.success);
    expect((await status(transactionId)).status).toBe('AUTHORIZED');
    return transactionId;
  }

  it('holds the money without crediting, then capture confirms and credits once', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = Number(await balanceOf(t, shop));
    const id = await authorized();
    expect(await credits(id)).toBe(0);
    const res = await capture(id);
    expect(res.body.data.capturePayment).toEqual({ id, status: 'CONFIRMED', amount: '500.00' });
    // the sandbox's Confirm notification arrives as well and changes nothing
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: id, kind: 'confirm' } }), (n) => n === 1);
    await waitFor(() => balanceOf(t, shop), (b) => b === (before + 500).toFixed(2));
    expect(await credits(id)).toBe(1);
    expect((await capture(id)).body.data.capturePayment.status).toBe('CONFIRMED'); // capturing again is fine
  });

  it('captures part of the hold and credits only that', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = Number(await balanceOf(t, shop));
    const id = await authorized(500);
    expect((await capture(id, '600.00')).body.errors?.[0].message).toMatch(/500.00 RUB is authorized/);
    const res = await capture(id, '300.00');
    expect(res.body.data.capturePayment).toEqual({ id, status: 'CONFIRMED', amount: '300.00' });
    await waitFor(() => balanceOf(t, shop), (b) => b === (before + 300).toFixed(2));
    expect((await status(id)).history.at(-1).reason).toMatch(/300.00 of 500.00 authorized/);
  });

  it('void releases the hold; cancelPayment on an AUTHORIZED payment voids it too', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const a = await authorized();
    expect((await voidIt(a)).body.data.voidPayment.status).toBe('CANCELLED');
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: a, kind: 'cancel' } }), (n) => n === 1);
    expect((await voidIt(a)).body.data.voidPayment.status).toBe('CANCELLED');
    const b = await authorized();
    const cancelled = await t.gql('mutation($id: ID!) { cancelPayment(id: $id) { status } }', { id: b }, shop.token);
    expect(cancelled.body.data.cancelPayment.status).toBe('CANCELLED');
    expect((await capture(b)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await new Promise((r) => setTimeout(r, 300));
    expect(await balanceOf(t, shop)).toBe(before);
  });

  it('refundPayment of an AUTHORIZED payment voids the hold instead', async () => {
    const id = await authorized(80);
    const partial = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success } }', { i: { transactionId: id, amount: 10 } }, shop.token);
    expect(partial.body.errors?.[0].message).toMatch(/only authorized: void it whole, or capture what you keep/);
    const res = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success refundId amount message } }', { i: { transactionId: id } }, shop.token);
    expect(res.body.data.refundPayment).toEqual({ success: true, refundId: null, amount: '80.00', message: expect.stringMatching(/hold was voided/) });
    expect((await status(id)).status).toBe('CANCELLED');
    expect(await t.deps.db.refund.count({ where: { paymentId: id } })).toBe(0);
  });

  it('refuses to capture or void what is not authorized', async () => {
    const { transactionId } = await topUp(t, shop);
    expect((await capture(transactionId)).body.errors?.[0].message).toMatch(/only an AUTHORIZED payment can be captured/);
    expect((await voidIt(transactionId)).body.errors?.[0].message).toMatch(/only an AUTHORIZED payment can be voided/);
    const other = await makeShop(t);
    expect((await t.gql('mutation($id: ID!) { voidPayment(id: $id) { id } }', { id: transactionId }, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

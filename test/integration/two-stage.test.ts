// Two-stage payments through the sandbox: the card is authorized, then captured or voided.
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, SEED_STATUS, topUp, type Shop, outboxDrained, plus } from '../helpers/fixtures';
import { payFields, sendNotification } from '../helpers/callbacks';
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
    const before = await balanceOf(t, shop);
    const id = await authorized();
    expect(await credits(id)).toBe(0);
    const res = await capture(id);
    expect(res.body.data.capturePayment).toEqual({ id, status: 'CONFIRMED', amount: '500.00' });
    // the sandbox's Confirm notification arrives as well and changes nothing
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: id, kind: 'confirm' } }), (n) => n === 1);
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 500));
    expect(await credits(id)).toBe(1);
    expect((await capture(id)).body.data.capturePayment.status).toBe('CONFIRMED'); // capturing again is fine
  });

  it('captures part of the hold and credits only that', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const id = await authorized(500);
    expect((await capture(id, '600.00')).body.errors?.[0].message).toMatch(/500.00 RUB is authorized/);
    const res = await capture(id, '300.00');
    expect(res.body.data.capturePayment).toEqual({ id, status: 'CONFIRMED', amount: '300.00' });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 300));
    expect((await status(id)).history.at(-1).reason).toMatch(/300.00 of 500.00 authorized/);
  });

  const FEE_ITEMS = 'query($id: ID!) { payment(id: $id) { status amount fee net items { name quantity price vat } } }';
  const shown = async (id: string) => (await t.gql(FEE_ITEMS, { id }, shop.token)).body.data.payment;
  const ITEMS = [{ name: 'Membership', quantity: 1, price: '400.00', vat: 20 }, { name: 'Towel', quantity: 2, price: '50', vat: null }];
  async function authorizedWith(input: Record<string, unknown>) {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 500, ...input });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } }), (p) => p.status === 'AUTHORIZED');
    return transactionId;
  }

  it('the hold\'s fee stays with a capture of the whole hold; a capture of less makes it unknown', async () => {
    const whole = await authorized(500);
    expect(await shown(whole)).toMatchObject({ status: 'AUTHORIZED', fee: '12.50', net: '487.50' });
    await capture(whole);
    expect(await shown(whole)).toMatchObject({ status: 'CONFIRMED', amount: '500.00', fee: '12.50', net: '487.50' });
    const part = await authorized(500);
    expect((await capture(part, '300.00')).body.data.capturePayment.status).toBe('CONFIRMED');
    expect(await shown(part)).toMatchObject({ status: 'CONFIRMED', amount: '300.00', fee: null, net: null });
    // the sandbox's Confirm (no TotalFee) arrives too and changes nothing
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: part, kind: 'confirm' } }), (n) => n === 1);
    expect(await shown(part)).toMatchObject({ amount: '300.00', fee: null });
  });

  it('the default line of a payment captured in part is what was captured', async () => {
    const id = await authorized(500);
    await capture(id, '123.45');
    expect((await shown(id)).items).toEqual([{ name: 'Balance top-up', quantity: '1', price: '123.45', vat: null }]);
  });

  it('a payment with items is captured whole or voided: another amount is refused with BAD_USER_INPUT, nothing written', async () => {
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const id = await authorizedWith({ items: ITEMS });
    const history = await t.deps.db.paymentEvent.count({ where: { paymentId: id } });
    const refused = await capture(id, '300.00');
    expect(refused.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/cannot capture 300.00: the payment's items add up to 500.00 RUB .*capture the whole hold or void it/),
      extensions: { code: 'BAD_USER_INPUT', field: 'amount' },
    });
    const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
    expect([row.status, row.captureAmount, row.amount.toFixed(2)]).toEqual(['AUTHORIZED', null, '500.00']);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id } })).toBe(history);
    expect(await t.deps.db.gatewayCallback.count({ where: { paymentId: id, kind: 'confirm' } })).toBe(0); // the gateway was never asked
    expect(await balanceOf(t, shop)).toBe(before);
    // the whole hold, named or not, is captured
    expect((await capture(id, '500')).body.data.capturePayment).toEqual({ id, status: 'CONFIRMED', amount: '500.00' });
    expect((await shown(id)).items).toEqual([{ name: 'Membership', quantity: '1', price: '400.00', vat: 20 }, { name: 'Towel', quantity: '2', price: '50.00', vat: null }]);
  });

  it('the gateway capturing another amount than the items add up to is booked (its word wins), and its history says the items no longer add up', async () => {
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const id = await authorizedWith({ items: ITEMS });
    const { gatewayTransactionId } = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
    const r = await sendNotification(t.url, shop.gatewayId, 'confirm', payFields(id, shop.clientId, '300.00', { TransactionId: gatewayTransactionId! }), { secret: shop.apiSecret });
    expect(r.body).toEqual({ code: 0 });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 300));
    expect(await shown(id)).toMatchObject({ status: 'CONFIRMED', amount: '300.00', fee: null });
    expect((await status(id)).history.at(-1).reason).toMatch(/the items add up to 500.00 RUB, not the 300.00 captured: the receipt needs a person/);
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

// The gateway's fee (CloudPayments TotalFee): stored on the payment when a Pay confirms it, through
// the callback's one-statement write and the general path alike; Payment.fee and net, and the
// list's totals. A negative or unreadable TotalFee never stops a Pay: the payment is confirmed and
// credited, the fee stays unknown (null) and its history says why.
import { decide } from '../../src/domain/book';
import { persistInOneStatement } from '../../src/services/book/persist-sql';
import { runBook } from '../../src/services/book/run';
import { loadPaymentOn } from '../../src/services/book/snapshot';
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, outboxDrained, topUp, type Shop, plus } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';

const FEE = 'query($id: ID!) { payment(id: $id) { id status amount fee net } }';
const SECRET = 'cp_fee_secret';

describe('gateway fees', () => {
  const cp = new CloudPaymentsSimulator({ pk_cp_fee: SECRET });
  let t: TestApp;
  let shop: Shop;
  let live: { token: string; gatewayId: string };

  beforeAll(async () => {
    await cp.start();
    t = await startTestApp('fees', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
    shop = await makeShop(t);
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: shop.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_cp_fee', apiSecret: SECRET, clubIds: [shop.clubId] } }, shop.liveToken);
    live = { token: shop.liveToken, gatewayId: gw.body.data.configurePaymentGateway.id };
  });
  afterAll(async () => {
    await t.close();
    await cp.stop();
  });

  const fee = async (id: string, token = shop.token) => (await t.gql(FEE, { id }, token)).body.data.payment;
  const pay = (id: string, extra: Record<string, string | number | undefined>, options: { json?: boolean } = {}) =>
    sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '500.00', extra), { secret: shop.apiSecret, ...options });

  it('the sandbox reports a plausible TotalFee (2.5 %) on Pay: fee and net on the payment', async () => {
    const { transactionId, paymentUrl } = await topUp(t, shop, { amount: '1234.56' });
    expect((await fee(transactionId))).toMatchObject({ status: 'PENDING', fee: null, net: null });
    await payWithCard(paymentUrl, CARDS.success);
    expect(await fee(transactionId)).toEqual({ id: transactionId, status: 'CONFIRMED', amount: '1234.56', fee: '30.86', net: '1203.70' });
    const callback = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { paymentId: transactionId, kind: 'pay' } });
    expect(callback.body).toMatchObject({ TotalFee: '30.86' });
  });

  it('a CloudPayments Pay with TotalFee (form and JSON): stored as NUMERIC, shown in the currency\'s decimals', async () => {
    const initiate = async () => (await t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }',
      { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '1000' } }, live.token)).body.data.initiateTopUpPayment.transactionId as string;
    const url = `${t.url}/payments/cloudpayments/${live.gatewayId}/pay`;
    const form = await initiate();
    const txn = cp.payInvoice(form);
    expect(await cp.notify(url, 'pk_cp_fee', { TransactionId: txn.TransactionId, Amount: '1000.00', Currency: 'RUB', Status: 'Completed', OperationType: 'Payment', InvoiceId: form, AccountId: shop.clientId, TestMode: '0', TotalFee: '39.9' }))
      .toEqual({ status: 200, body: { code: 0 } });
    expect(await fee(form, live.token)).toMatchObject({ status: 'CONFIRMED', fee: '39.90', net: '960.10' });
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: form } })).fee?.toFixed(4)).toBe('39.9000');
    const json = await initiate();
    const txn2 = cp.payInvoice(json);
    await cp.notify(url, 'pk_cp_fee', { TransactionId: txn2.TransactionId, Amount: 1000, Currency: 'RUB', Status: 'Completed', OperationType: 'Payment', InvoiceId: json, AccountId: shop.clientId, TestMode: 0, TotalFee: 27.3 }, { json: true });
    expect(await fee(json, live.token)).toMatchObject({ status: 'CONFIRMED', fee: '27.30', net: '972.70' });
  });

  it('reconciliation reads the fee from the transaction (v2/payments/find\'s TotalFee) for a Pay that never arrived', async () => {
    const { transactionId } = (await t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }',
      { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '200' } }, live.token)).body.data.initiateTopUpPayment;
    cp.payInvoice(transactionId).TotalFee = 5.8;
    const res = await t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { status fee net } }', { id: transactionId }, live.token);
    expect(res.body.data.reconcilePayment).toEqual({ status: 'CONFIRMED', fee: '5.80', net: '194.20' });
    // and a malformed one there is ignored too
    const second = (await t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }',
      { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '200' } }, live.token)).body.data.initiateTopUpPayment.transactionId;
    cp.payInvoice(second).TotalFee = '-1';
    expect((await t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { status fee } }', { id: second }, live.token)).body.data.reconcilePayment).toEqual({ status: 'CONFIRMED', fee: null });
  });

  it.each([
    ['negative', '-5.00', 'TotalFee negative'],
    ['not a number', 'twelve', 'TotalFee not a decimal number'],
    ['above the amount', '500.01', 'TotalFee more than the amount'],
    ['of too many decimals', '1.005', 'TotalFee more decimals than RUB has'],
  ])('a %s TotalFee: the Pay is answered 0, the payment confirmed and credited once, the fee unknown', async (_label, totalFee, why) => {
    const { transactionId } = await topUp(t, shop);
    expect(await pay(transactionId, { TotalFee: totalFee })).toEqual({ status: 200, body: { code: 0 } });
    expect(await fee(transactionId)).toMatchObject({ status: 'CONFIRMED', fee: null, net: null });
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId, kind: 'TOP_UP' } }), (n) => n === 1);
    const paid = await t.deps.db.paymentEvent.findFirstOrThrow({ where: { paymentId: transactionId, toStatus: 'CONFIRMED' } });
    expect(paid.data).toMatchObject({ feeIgnored: why });
    const callback = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { paymentId: transactionId, kind: 'pay' } });
    expect(callback.verdict).toBe('VALID');
    // a repeat with a good fee is a duplicate: nothing changes
    await pay(transactionId, { TotalFee: '1.00', TransactionId: (paid.data as { transactionId: string }).transactionId });
    expect((await fee(transactionId)).fee).toBeNull();
  });

  it('a Pay without TotalFee leaves the fee unknown', async () => {
    const { transactionId } = await topUp(t, shop);
    await pay(transactionId, {});
    expect(await fee(transactionId)).toMatchObject({ status: 'CONFIRMED', fee: null, net: null });
  });

  it('the one-statement write (persist-sql) and the general path (persist) both store the book\'s fee', async () => {
    const event = (id: string, transactionId: string) => ({ kind: 'confirmed' as const, invoiceId: id, transactionId, amount: '500.00', currency: 'RUB', accountId: shop.clientId, testMode: true, fee: '7.25' });
    const { transactionId: hot } = await topUp(t, shop);
    const loaded = (await loadPaymentOn(t.deps.pg, hot, { lock: false, gatewayId: shop.gatewayId }))!;
    const decision = decide(loaded.snapshot, { kind: 'gateway-event', event: event(hot, '8800001'), source: 'callback', now: new Date(), transactionHeldBy: null });
    expect(await persistInOneStatement(t.deps.pg, loaded, decision, { actor: 'test' })).not.toBeNull();
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: hot } })).fee?.toFixed(2)).toBe('7.25');

    const { transactionId: general } = await topUp(t, shop);
    await runBook(t.deps, general, { kind: 'gateway-event', event: event(general, '8800002'), source: 'reconciliation', now: new Date() }, { who: { actor: 'test' } });
    const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: general } });
    expect([row.status, row.fee?.toFixed(2)]).toEqual(['CONFIRMED', '7.25']);
  });

  it('the list shows fee and net per payment, and sums them per status and currency (an unknown fee counts as none)', async () => {
    const q = 'query($f: PaymentFilter) { payments(filter: $f, first: 100) { edges { node { id fee net } } totals { status currency count amount fee net } } }';
    const list = (await t.gql(q, { f: { status: ['CONFIRMED'] } }, shop.token)).body.data.payments;
    const rows = await t.deps.db.payment.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', status: 'CONFIRMED', deletedAt: null } });
    const amounts = rows.map((p) => p.amount.toFixed());
    const fees = rows.map((p) => (p.fee ?? 0).toString());
    expect(list.totals).toEqual([{
      status: 'CONFIRMED', currency: 'RUB', count: rows.length, amount: plus(...amounts),
      fee: plus(...fees), net: plus(...amounts, ...fees.map((f) => `-${f}`)),
    }]);
    expect(list.totals[0].fee).not.toBe('0.00');
    const withFee = list.edges.find((e: any) => e.node.fee !== null).node;
    expect(withFee.net).toBeDefined();
    expect(list.edges.some((e: any) => e.node.fee === null && e.node.net === null)).toBe(true);
  });

  it('another organization and the other environment see neither the payment nor its fee', async () => {
    await outboxDrained(t);
    const { transactionId, paymentUrl } = await topUp(t, shop);
    await payWithCard(paymentUrl, CARDS.success);
    const other = await makeOrg(t.deps, 'Fee snoop');
    expect((await t.gql(FEE, { id: transactionId }, other.testToken)).body.data.payment).toBeNull();
    expect((await t.gql(FEE, { id: transactionId }, shop.liveToken)).body.data.payment).toBeNull();
    const theirs = await t.gql('{ payments { edges { node { id } } totals { fee } } }', {}, other.testToken);
    expect(theirs.body.data.payments).toEqual({ edges: [], totals: [] });
  });
});

// 54-FZ receipts through the CLOUDPAYMENTS adapter against the simulator's CloudKassir: the
// kkt/receipt request as sent (numbers, X-Request-ID), a lost answer asked again under the same
// request id (one receipt at the register), a lost Receipt notification made good by the recurring
// kkt/receipt/get check, a day without a print raised once, and a Receipt notification from
// another organization's gateway that changes nothing.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { payFields } from '../helpers/callbacks';
import { makeShop, outboxDrained, type Shop } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { recheckReceipts } from '../../src/services/receipts/recheck-receipts';

const GATEWAY = 'mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }';
const FISCAL = 'mutation($f: FiscalSettingsInput!) { updateOrganization(input: { fiscal: $f }) { fiscal { inn } } }';
const INITIATE = 'mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }';
const RECEIPTS = 'query($id: ID!) { payment(id: $id) { receipts { id type status fiscalSign documentNumber url error } } }';

describe('receipts (CLOUDPAYMENTS adapter against the simulator)', () => {
  const cp = new CloudPaymentsSimulator({ pk_kassa_a: 'secret_kassa_a', pk_kassa_b: 'secret_kassa_b' });
  let t: TestApp;
  let shop: Shop;
  let otherGatewayId: string;

  beforeAll(async () => {
    await cp.start();
    t = await startTestApp('receipts_cp', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
    const base = await makeShop(t);
    const gw = await t.gql(GATEWAY, { i: { organizationId: base.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_kassa_a', apiSecret: 'secret_kassa_a', clubIds: [base.clubId] } }, base.liveToken);
    shop = { ...base, token: base.liveToken, gatewayId: gw.body.data.configurePaymentGateway.id, apiSecret: 'secret_kassa_a' };
    expect((await t.gql(FISCAL, { f: { inn: '7707083893', taxationSystem: 0, defaultVat: 20, receiptsEnabled: true } }, shop.token)).body.errors).toBeUndefined();
    const other = await makeOrg(t.deps);
    otherGatewayId = (await t.gql(GATEWAY, { i: { organizationId: other.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_kassa_b', apiSecret: 'secret_kassa_b' } }, other.token)).body.data.configurePaymentGateway.id;
  });
  afterAll(async () => {
    await t.close();
    await cp.stop();
  });

  const notifyUrl = (gatewayId: string, kind: string) => `${t.url}/payments/cloudpayments/${gatewayId}/${kind}`;
  const receipts = async (id: string) => (await t.gql(RECEIPTS, { id }, shop.token)).body.data.payment.receipts as Record<string, string | null>[];
  const sentFor = (paymentId: string) => cp.requests.filter((q) => q.path === 'kkt/receipt' && q.body.InvoiceId === paymentId);

  /** A LIVE top-up paid at CloudPayments and credited: its INCOME receipt is sent (not yet printed). */
  async function paidTopUp(amount: string) {
    const res = await t.gql(INITIATE, { i: { clientId: shop.clientId, clubId: shop.clubId, amount, items: [{ name: 'Абонемент', quantity: '1', price: amount }] } }, shop.token);
    const id = res.body.data.initiateTopUpPayment.transactionId as string;
    const txn = cp.payInvoice(id);
    const pay = await cp.notify(notifyUrl(shop.gatewayId, 'pay'), 'pk_kassa_a', { ...payFields(id, shop.clientId, amount, { TransactionId: txn.TransactionId }), TestMode: 0, GatewayName: 'Tinkoff' });
    expect(pay.status).toBe(200);
    await waitFor(async () => sentFor(id), (sent) => sent.some((q) => q.status === 200 || q.status === 0));
    return id;
  }

  it('sends kkt/receipt as CloudKassir takes it; a lost Receipt notification is made good by the recurring check', async () => {
    const id = await paidTopUp('1500.50');
    const [sent] = sentFor(id);
    const [queued] = await waitFor(() => receipts(id), (rs) => rs.length === 1);
    expect(sent).toMatchObject({
      requestId: `receipt-${queued.id}-0`,
      body: {
        Inn: '7707083893', Type: 'Income', InvoiceId: id, AccountId: shop.clientId,
        CustomerReceipt: { Items: [{ label: 'Абонемент', price: 1500.5, quantity: 1, amount: 1500.5, vat: 20, method: 3, object: 10 }], taxationSystem: 0, email: 'anna@example.com', amounts: { electronic: 1500.5 } },
      },
    });
    // Asked right after sending: not printed yet, so PENDING; its notification never comes.
    await outboxDrained(t);
    expect(queued).toMatchObject({ status: 'PENDING', fiscalSign: null });
    const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: queued.id! } });
    const later = new Date(Date.now() + 2 * 60_000);
    expect(await recheckReceipts(t.deps, later)).toMatchObject({ 'not yet': 1 });
    expect((await receipts(id))[0].status).toBe('PENDING');

    cp.printReceipt(row.externalId!);
    expect(await recheckReceipts(t.deps, later)).toEqual({ issued: 1 });
    expect((await receipts(id))[0]).toMatchObject({ status: 'ISSUED', fiscalSign: '2591637004', documentNumber: '41', url: `https://ofd.example/receipt/${row.externalId}` });
    expect(await recheckReceipts(t.deps, later)).toEqual({});
    await outboxDrained(t);
    const issued = await t.deps.db.outbox.findMany({ where: { organizationId: shop.orgId, kind: 'webhook.event' } });
    expect(issued.filter((e) => JSON.stringify(e.payload).includes('RECEIPT_ISSUED') && JSON.stringify(e.payload).includes(queued.id!))).toHaveLength(1);
    expect(cp.receipts.size).toBeGreaterThanOrEqual(1);
    expect([...cp.receipts.values()].filter((r) => r.body.InvoiceId === id)).toHaveLength(1);
  });

  it('a lost kkt/receipt answer: the outbox asks again under the same X-Request-ID and the register keeps one receipt', async () => {
    cp.dropAnswers('kkt/receipt', 1);
    const id = await paidTopUp('700');
    await waitFor(async () => sentFor(id), (sent) => sent.length >= 2, { timeoutMs: 30_000 });
    const [r] = await waitFor(() => receipts(id), (rs) => rs.length === 1 && rs[0].status === 'PENDING');
    const row = await waitFor(() => t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } }), (x) => x.externalId !== null);
    expect(new Set(sentFor(id).map((q) => q.requestId))).toEqual(new Set([`receipt-${r.id}-0`]));
    expect([...cp.receipts.values()].filter((x) => x.body.InvoiceId === id)).toHaveLength(1);
    expect(cp.receipts.has(row.externalId!)).toBe(true);
  });

  it('a Receipt notification from another organization\'s gateway, validly signed with its secret, changes nothing', async () => {
    const id = await paidTopUp('300');
    const [r] = await waitFor(() => receipts(id), (rs) => rs.length === 1);
    const row = await waitFor(() => t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } }), (x) => x.externalId !== null);
    const fields = { Id: row.externalId!, DocumentNumber: '1', FiscalNumber: '2', FiscalSign: '666', Type: 'Income', InvoiceId: id, Url: 'https://ofd.example/forged' };
    await cp.notify(notifyUrl(otherGatewayId, 'receipt'), 'pk_kassa_b', fields);
    // Signed with a's secret but sent to b's URL: refused too.
    await cp.notify(notifyUrl(otherGatewayId, 'receipt'), 'pk_kassa_a', fields);
    const after = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } });
    expect([after.status, after.fiscalSign, after.url]).toEqual(['PENDING', null, null]);
  });

  it('a receipt still unprinted a day after it was sent is raised once (RECEIPT_UNCONFIRMED)', async () => {
    const id = await paidTopUp('90');
    const [r] = await waitFor(() => receipts(id), (rs) => rs.length === 1);
    await waitFor(() => t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } }), (x) => x.externalId !== null);
    const dayLater = new Date(Date.now() + 25 * 3600_000);
    await recheckReceipts(t.deps, dayLater);
    await recheckReceipts(t.deps, dayLater);
    const items = await t.deps.db.attentionItem.findMany({ where: { organizationId: shop.orgId, kind: 'RECEIPT_UNCONFIRMED' } });
    expect(items.filter((i) => (i.evidence as { receiptId?: string }).receiptId === r.id)).toHaveLength(1);
    expect(items.find((i) => (i.evidence as { receiptId?: string }).receiptId === r.id)).toMatchObject({ paymentId: id, environment: 'LIVE' });
  });
});

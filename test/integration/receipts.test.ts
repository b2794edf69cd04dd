// 54-FZ receipts through the sandbox's cash register: fiscal settings (LIVE OWNER, validated), an
// INCOME advance receipt for a top-up, an INCOME_RETURN for a partial refund, a refusing register
// (INN 0000000000) → FAILED, fixed and retried → ISSUED; none with receipts off; duplicates and
// forged Receipt notifications change nothing.
import { startTestApp, makeToken, type TestApp } from '../helpers/app';
import { sendNotification } from '../helpers/callbacks';
import { balanceOf, makeShop, outboxDrained, plus, topUp, type Shop } from '../helpers/fixtures';
import { payFields } from '../helpers/callbacks';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const FISCAL = 'mutation($f: FiscalSettingsInput!) { updateOrganization(input: { fiscal: $f }) { fiscal { inn taxationSystem defaultVat receiptsEnabled } } }';
const RECEIPTS = 'query($id: ID!) { payment(id: $id) { status receipts { id type status amount fiscalNumber fiscalSign documentNumber url qrCodeUrl error } } }';
const RETRY = 'mutation($id: ID!) { retryReceipt(id: $id) { id status error } }';

describe('receipts (sandbox cash register)', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('receipts', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const fiscal = (f: Record<string, unknown>, token = shop.liveToken) => t.gql(FISCAL, { f }, token);
  const receipts = async (id: string) => (await t.gql(RECEIPTS, { id }, shop.token)).body.data.payment.receipts as Record<string, string | null>[];
  const paid = async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: '500' });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId, kind: 'TOP_UP' } }), (n) => n === 1);
    return transactionId;
  };
  const settled = (id: string, n = 1) => waitFor(() => receipts(id), (rs) => rs.length === n && rs.every((r) => r.status !== 'PENDING'), { timeoutMs: 20_000 });

  it('fiscal settings: LIVE OWNER only, validated, shown without secrets', async () => {
    for (const f of [{ inn: '1234567890', taxationSystem: 1, receiptsEnabled: true }, { inn: '7707083893', taxationSystem: 9, receiptsEnabled: true }, { inn: '7707083893', taxationSystem: 1, defaultVat: 18, receiptsEnabled: true }]) {
      const res = await fiscal(f);
      expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const viewer = (await makeToken(t.deps, shop.orgId, 'VIEWER')).token;
    const admin = (await makeToken(t.deps, shop.orgId, 'ADMIN')).token;
    for (const token of [viewer, admin, shop.token]) {
      const res = await fiscal({ inn: '7707083893', taxationSystem: 1, receiptsEnabled: true }, token);
      expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.deps.db.organization.findUniqueOrThrow({ where: { id: shop.orgId } })).fiscalInn).toBeNull();
  });

  it('receipts off: a top-up gets none', async () => {
    const id = await paid();
    await outboxDrained(t);
    expect(await receipts(id)).toEqual([]);
  });

  it('a top-up gets one INCOME advance receipt, issued with fiscal data; a partial refund an INCOME_RETURN', async () => {
    const set = await fiscal({ inn: '7707083893', taxationSystem: 1, receiptsEnabled: true });
    expect(set.body.data.updateOrganization.fiscal).toEqual({ inn: '7707083893', taxationSystem: 1, defaultVat: null, receiptsEnabled: true });
    const id = await paid();
    const [income] = await settled(id);
    expect(income).toMatchObject({ type: 'INCOME', status: 'ISSUED', amount: '500.00', error: null });
    expect(income.fiscalSign).toMatch(/^\d+$/);
    expect(income.url).toMatch(/^https:\/\//);
    const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: income.id! } });
    expect(row.request).toMatchObject({ Items: [{ label: 'Balance top-up', method: 3, object: 10, amount: '500.00' }], email: 'anna@example.com', amounts: { electronic: '500.00' } });

    const refund = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success } }', { i: { transactionId: id, amount: '120.50' } }, shop.token);
    expect(refund.body.data.refundPayment.success).toBe(true);
    const all = await settled(id, 2);
    expect(all.map((r) => [r.type, r.status, r.amount])).toEqual([['INCOME', 'ISSUED', '500.00'], ['INCOME_RETURN', 'ISSUED', '120.50']]);
    await outboxDrained(t);
    const events = await t.deps.db.outbox.findMany({ where: { organizationId: shop.orgId, kind: 'webhook.event' } });
    expect(events.filter((e) => JSON.stringify(e.payload).includes('RECEIPT_ISSUED'))).toHaveLength(2);
  });

  it('a duplicate or forged Receipt notification changes nothing', async () => {
    const id = await paid();
    const [r] = await settled(id);
    const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } });
    const fields = { Id: row.externalId!, FiscalSign: '1', FiscalNumber: '2', DocumentNumber: '3', Type: 'Income', InvoiceId: id };
    const again = await sendNotification(t.url, shop.gatewayId, 'receipt', fields, { secret: shop.apiSecret, raw: true });
    expect(again.status).toBe(200);
    const forged = await sendNotification(t.url, shop.gatewayId, 'receipt', fields, { secret: 'not-the-secret', raw: true });
    expect(forged.status).not.toBe(200);
    const after = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: r.id! } });
    expect([after.status, after.fiscalSign]).toEqual(['ISSUED', row.fiscalSign]);
    expect(await t.deps.db.receipt.count({ where: { paymentId: id } })).toBe(1);
  });

  it('a refusing register (INN 0000000000): FAILED with its message; fixed and retried: ISSUED, once', async () => {
    await fiscal({ inn: '0000000000', taxationSystem: 1, receiptsEnabled: true });
    const id = await paid();
    const [failed] = await settled(id);
    expect(failed).toMatchObject({ type: 'INCOME', status: 'FAILED' });
    expect(failed.error).toContain('0000000000');
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await t.gql(RETRY, { id: failed.id }, viewer.token)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await fiscal({ inn: '7707083893', taxationSystem: 1, receiptsEnabled: true });
    const [a, b] = await Promise.all([t.gql(RETRY, { id: failed.id }, shop.token), t.gql(RETRY, { id: failed.id }, shop.token)]);
    expect([a.body.data.retryReceipt.status, b.body.data.retryReceipt.status]).toEqual(['PENDING', 'PENDING']);
    const [issued] = await settled(id);
    expect(issued).toMatchObject({ id: failed.id, status: 'ISSUED', error: null });
    const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: failed.id! } });
    expect(row.attempt).toBe(1);
    expect((await t.gql(RETRY, { id: failed.id }, shop.token)).body.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('a spend with items gets one full-settlement receipt (method 4, paid by the advance); its replay none more; bad items change nothing', async () => {
    await fiscal({ inn: '7707083893', taxationSystem: 1, receiptsEnabled: true });
    await paid();
    const DEBIT = 'mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id kind amount receipt { id type status amount } } }';
    const items = [{ name: 'Yoga class', quantity: '2', price: '150.00' }, { name: 'Towel', quantity: '1', price: '0.50', vat: 20 }];
    const input = { clientId: shop.clientId, amount: '300.50', reason: 'classes', idempotencyKey: `spend-${Date.now()}`, items };
    const balance = async () => (await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: shop.orgId, id: shop.clientId } } })).testBalance.toFixed(2);
    const before = await balance();

    // Refused before anything is written: lines that do not add up, a bad VAT, too long a name.
    for (const bad of [[{ name: 'Yoga', quantity: '1', price: '300.00' }], [{ name: 'Yoga', quantity: '1', price: '300.50', vat: 18 }], [{ name: 'x'.repeat(129), quantity: '1', price: '300.50' }], []]) {
      const res = await t.gql(DEBIT, { i: { ...input, idempotencyKey: null, items: bad } }, shop.token);
      expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await balance()).toBe(before);

    const first = (await t.gql(DEBIT, { i: input }, shop.token)).body.data.debitBalance;
    expect(first).toMatchObject({ kind: 'SPEND', amount: '-300.50', receipt: { type: 'INCOME', amount: '300.50' } });
    const again = await t.gql(DEBIT, { i: input }, shop.token);
    expect(again.body.data.debitBalance.id).toBe(first.id);
    const other = await t.gql(DEBIT, { i: { ...input, items: [{ name: 'Pilates class', quantity: '1', price: '300.50' }] } }, shop.token);
    expect(other.body.errors?.[0].extensions?.code).toBe('CONFLICT');

    const LEDGER = 'query($id: ID!) { client(id: $id) { ledger(first: 10) { edges { node { id kind receipt { id type status amount fiscalSign error } } } } } }';
    const entry = async (token = shop.token) => ((await t.gql(LEDGER, { id: shop.clientId }, token)).body.data.client?.ledger.edges ?? []).map((e: { node: unknown }) => e.node).find((n: { id: string }) => n.id === first.id);
    const issued = await waitFor(() => entry(), (n) => n?.receipt?.status === 'ISSUED', { timeoutMs: 20_000 });
    expect(issued.receipt).toMatchObject({ id: first.receipt.id, error: null });
    expect(issued.receipt.fiscalSign).toMatch(/^\d+$/);
    const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: first.receipt.id } });
    expect(row).toMatchObject({ paymentId: null, environment: 'TEST', type: 'INCOME' });
    expect(row.request).toMatchObject({
      Items: [{ label: 'Yoga class', price: '150.00', quantity: '2', amount: '300.00', method: 4, object: 4, vat: null }, { label: 'Towel', amount: '0.50', method: 4, object: 4, vat: 20 }],
      amounts: { advancePayment: '300.50' },
    });
    expect(await t.deps.db.receipt.count({ where: { organizationId: shop.orgId, movementKey: `spend-${first.id}` } })).toBe(1);
    // The LIVE key sees its own environment's ledger only: not this TEST spend or its receipt.
    expect(await entry(shop.liveToken)).toBeUndefined();

    // Without items: a spend like any other, no receipt.
    const plain = (await t.gql(DEBIT, { i: { clientId: shop.clientId, amount: '1.00', reason: 'no items' } }, shop.token)).body.data.debitBalance;
    expect(plain.receipt).toBeNull();
    await outboxDrained(t);
    expect(await t.deps.db.receipt.count({ where: { organizationId: shop.orgId, movementKey: `spend-${plain.id}` } })).toBe(0);
  });
});

describe('receipts never stop the money movement they are for', () => {
  let t: TestApp;
  let shop: Shop;
  beforeAll(async () => {
    t = await startTestApp('receipts_capture', {}, { workers: true });
    shop = await makeShop(t, { twoStage: true });
    expect((await t.gql(FISCAL, { f: { inn: '7707083893', taxationSystem: 1, receiptsEnabled: true } }, shop.liveToken)).body.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  it('a capture of less than the lines credits what was captured; its receipt is one line for it, and the credit never fails on it', async () => {
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const items = [{ name: 'Membership', quantity: '1', price: '400.00', vat: 20 }, { name: 'Towel', quantity: '2', price: '50' }];
    const { paymentUrl, transactionId: id } = await topUp(t, shop, { amount: 500, items });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => t.deps.db.payment.findUniqueOrThrow({ where: { id } }), (p) => p.status === 'AUTHORIZED');
    const { gatewayTransactionId } = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
    const confirmed = await sendNotification(t.url, shop.gatewayId, 'confirm', payFields(id, shop.clientId, '300.00', { TransactionId: gatewayTransactionId! }), { secret: shop.apiSecret });
    expect(confirmed.body).toEqual({ code: 0 });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 300), { timeoutMs: 20_000 });
    const [income] = await waitFor(() => t.deps.db.receipt.findMany({ where: { paymentId: id } }), (rs) => rs.length === 1 && rs[0].status !== 'PENDING', { timeoutMs: 20_000 });
    expect([income.type, income.status, income.amount.toFixed(2)]).toEqual(['INCOME', 'ISSUED', '300.00']);
    expect(income.request).toMatchObject({ Items: [{ label: 'Balance top-up', amount: '300.00' }], amounts: { electronic: '300.00' } });
    const credit = await t.deps.db.outbox.findFirstOrThrow({ where: { kind: 'payment.credit', payload: { path: ['paymentId'], equals: id } } });
    expect([credit.status, credit.lastError]).toEqual(['DONE', null]);

  });
});


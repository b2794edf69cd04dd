// 54-FZ receipts through the sandbox's cash register: fiscal settings (LIVE OWNER, validated), an
// INCOME advance receipt for a top-up, an INCOME_RETURN for a partial refund, a refusing register
// (INN 0000000000) → FAILED, fixed and retried → ISSUED; none with receipts off; duplicates and
// forged Receipt notifications change nothing.
import { startTestApp, makeToken, type TestApp } from '../helpers/app';
import { sendNotification } from '../helpers/callbacks';
import { makeShop, outboxDrained, topUp, type Shop } from '../helpers/fixtures';
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
});

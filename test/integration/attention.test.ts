// The attention queue: what needs a person becomes an item with its evidence, once however often
// (or however concurrently) the gateway says it, with an ATTENTION_NEEDED webhook in the same
// transaction; staff close it with a note. Nothing for other roles, organizations or environments.
import { Webhook } from 'standardwebhooks';
import { raiseAttention } from '../../src/services/attention/raise';
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { Receiver } from '../helpers/receiver';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { nextTransactionId, payFields, sendNotification, type Fields } from '../helpers/callbacks';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';
import { MAX_OUTBOX_ATTEMPTS } from '../../src/jobs/outbox/consumer';
import { retryGivenUpOutbox, stuckOutboxRows } from '../../src/services/outbox/outbox';

const ITEMS = `query($open: Boolean, $first: Int, $after: String) { attentionItems(open: $open, first: $first, after: $after) {
  edges { cursor node { id at kind paymentId refundId evidence resolvedAt note } } pageInfo { hasNextPage endCursor } } }`;
const RESOLVE = 'mutation($id: ID!, $note: String!) { resolveAttentionItem(id: $id, note: $note) { id kind resolvedAt note } }';

interface Item { id: string; kind: string; paymentId: string | null; refundId: string | null; evidence: Record<string, unknown>; resolvedAt: string | null; note: string | null }

describe('the attention queue', () => {
  let t: TestApp;
  const rx = new Receiver();
  const LIVE_PUBLIC_ID = 'pk_live_attention';
  const LIVE_SECRET = 'cp_live_secret_attention';
  const cp = new CloudPaymentsSimulator({ [LIVE_PUBLIC_ID]: LIVE_SECRET });

  beforeAll(async () => {
    await Promise.all([rx.start(), cp.start()]);
    t = await startTestApp('attention', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([rx.stop(), cp.stop()]);
  });

  const fresh = () => makeShop(t, { clientId: `client_${Math.random().toString(36).slice(2, 10)}` });
  const notify = (shop: Shop, kind: string, fields: Fields) => sendNotification(t.url, shop.gatewayId, kind, fields, { secret: shop.apiSecret });
  const items = async (shop: Shop, open?: boolean, token = shop.token): Promise<Item[]> => {
    const res = await t.gql(ITEMS, { open }, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data.attentionItems.edges.map((e: { node: Item }) => e.node);
  };
  const ofKind = async (shop: Shop, kind: string) => (await items(shop)).filter((i) => i.kind === kind);
  /** The ATTENTION_NEEDED events written for the organization, as their data. */
  const events = async (shop: Shop) => (await t.deps.db.outbox.findMany({
    where: { organizationId: shop.orgId, kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'ATTENTION_NEEDED' } },
  })).map((o) => (o.payload as { message: { environment: string; data: { id: string; kind: string } } }).message);
  const paid = async (shop: Shop) => {
    const { transactionId } = await topUp(t, shop);
    const fields = payFields(transactionId, shop.clientId);
    expect((await notify(shop, 'pay', fields)).body).toEqual({ code: 0 });
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId, kind: 'TOP_UP' } }), (n) => n === 1);
    return { paymentId: transactionId, fields };
  };

  it('a Pay for another amount: one AMOUNT_MISMATCH item with the evidence, for 5 racing identical callbacks, and one ATTENTION_NEEDED', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    const fields = payFields(transactionId, shop.clientId, '5000.00');
    const answers = await Promise.all(Array.from({ length: 5 }, () => notify(shop, 'pay', fields)));
    for (const a of answers) expect(a).toEqual({ status: 200, body: { code: 0 } });
    const found = await items(shop, true);
    expect(found).toEqual([{
      id: expect.stringMatching(/^att_/), at: expect.any(String), kind: 'AMOUNT_MISMATCH', paymentId: transactionId, refundId: null, resolvedAt: null, note: null,
      evidence: expect.objectContaining({ transactionId: fields.TransactionId, amount: '5000.00', currency: 'RUB', expectedAmount: '500.00', expectedCurrency: 'RUB', gatewayId: shop.gatewayId, callbackId: expect.stringMatching(/^cb_/) }),
    }]);
    expect(found[0].evidence.summary).toMatch(/not applied, manual handling/);
    // never card data
    expect(JSON.stringify(found[0].evidence)).not.toMatch(/411111|CardLastFour|cardMask/);
    const sent = await events(shop);
    expect(sent).toEqual([expect.objectContaining({ environment: 'TEST', data: expect.objectContaining({ id: found[0].id, kind: 'AMOUNT_MISMATCH', paymentId: transactionId }) })]);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).status).toBe('PENDING');
    // Once more, after the racers: a repeated note writes nothing, not even the payment's version.
    const before = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    const history = await t.deps.db.paymentEvent.count({ where: { paymentId: transactionId } });
    expect(await notify(shop, 'pay', fields)).toEqual({ status: 200, body: { code: 0 } });
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).updatedAt).toEqual(before.updatedAt);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: transactionId } })).toBe(history);
    expect(await items(shop)).toHaveLength(1);
    expect(await events(shop)).toHaveLength(1);
  });

  it('money for an unknown invoice: UNKNOWN_INVOICE for the gateway\'s organization and environment, once for 5 racing copies', async () => {
    const shop = await fresh();
    const fields = payFields('pay_doesnotexist000000000000', shop.clientId, '250.00');
    await Promise.all(Array.from({ length: 5 }, () => notify(shop, 'pay', fields)));
    const found = await ofKind(shop, 'UNKNOWN_INVOICE');
    expect(found).toEqual([expect.objectContaining({ paymentId: null, evidence: expect.objectContaining({ invoiceId: 'pay_doesnotexist000000000000', transactionId: fields.TransactionId, amount: '250.00', gatewayId: shop.gatewayId }) })]);
    expect(await events(shop)).toHaveLength(1);
    // a Pay naming no invoice at all takes the other path: the same item kind
    const none = payFields('pay_x', shop.clientId, '1.00', { InvoiceId: undefined });
    await Promise.all([notify(shop, 'pay', none), notify(shop, 'pay', none)]);
    expect((await ofKind(shop, 'UNKNOWN_INVOICE')).map((i) => i.evidence.transactionId).sort()).toEqual([fields.TransactionId, none.TransactionId].sort());
  });

  it('a second Pay for a paid invoice: DOUBLE_PAYMENT, not credited', async () => {
    const shop = await fresh();
    const { paymentId, fields } = await paid(shop);
    const second = { ...fields, TransactionId: nextTransactionId() };
    await Promise.all([notify(shop, 'pay', second), notify(shop, 'pay', second), notify(shop, 'pay', second)]);
    expect(await ofKind(shop, 'DOUBLE_PAYMENT')).toEqual([expect.objectContaining({ paymentId, evidence: expect.objectContaining({ transactionId: second.TransactionId, paidByTransactionId: fields.TransactionId, amount: '500.00' }) })]);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId, kind: 'TOP_UP' } })).toBe(1);
  });

  it('a gateway refund above what is left: REFUND_EXCEEDS, nothing booked', async () => {
    const shop = await fresh();
    const { paymentId, fields } = await paid(shop);
    const refund = { TransactionId: nextTransactionId(), PaymentTransactionId: String(fields.TransactionId), Amount: '600.00', DateTime: '2026-11-23 12:00:00', OperationType: 'Refund', InvoiceId: paymentId, AccountId: shop.clientId };
    await Promise.all([notify(shop, 'refund', refund), notify(shop, 'refund', refund)]);
    expect(await ofKind(shop, 'REFUND_EXCEEDS')).toEqual([expect.objectContaining({ paymentId, evidence: expect.objectContaining({ gatewayRefundId: refund.TransactionId, amount: '600.00', left: '500.00' }) })]);
    expect(await t.deps.db.refund.count({ where: { paymentId } })).toBe(0);
  });

  it('a real card on a TEST payment: LIVE_CARD_ON_TEST, not credited', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    await notify(shop, 'pay', payFields(transactionId, shop.clientId, '500.00', { TestMode: 0 }));
    expect(await ofKind(shop, 'LIVE_CARD_ON_TEST')).toEqual([expect.objectContaining({ paymentId: transactionId })]);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).status).toBe('PENDING');
  });

  it('a test card on a LIVE payment: TEST_CARD_ON_LIVE in the LIVE queue only, not credited', async () => {
    const shop = await fresh();
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id environment } }',
      { i: { organizationId: shop.orgId, type: 'CLOUDPAYMENTS', publicId: LIVE_PUBLIC_ID, apiSecret: LIVE_SECRET } }, shop.liveToken);
    expect(gw.body.data.configurePaymentGateway.environment).toBe('LIVE');
    const started = await t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }',
      { i: { clientId: shop.clientId, clubId: shop.clubId, amount: 40 } }, shop.liveToken);
    const id = started.body.data.initiateTopUpPayment.transactionId;
    const fields = payFields(id, shop.clientId, '40.00', { TestMode: 1 });
    const res = await sendNotification(t.url, gw.body.data.configurePaymentGateway.id, 'pay', fields, { secret: LIVE_SECRET });
    expect(res).toEqual({ status: 200, body: { code: 0 } });
    const live = await items(shop, true, shop.liveToken);
    expect(live).toEqual([expect.objectContaining({ kind: 'TEST_CARD_ON_LIVE', paymentId: id, evidence: expect.objectContaining({ transactionId: fields.TransactionId, amount: '40.00' }) })]);
    expect(await items(shop)).toEqual([]);
    expect((await events(shop)).map((e) => [e.environment, e.data.kind])).toEqual([['LIVE', 'TEST_CARD_ON_LIVE']]);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: id } })).toBe(0);
  });

  it('UNREADABLE signed callbacks: one UNREADABLE_CALLBACK per gateway and hour naming the first stored callback, for 5 racing copies and 5 different bodies, counted', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    const fields = { ...payFields(transactionId, shop.clientId), Status: 'Maybe' };
    await Promise.all(Array.from({ length: 5 }, () => notify(shop, 'pay', fields)));
    await Promise.all(Array.from({ length: 5 }, (_, i) => notify(shop, 'pay', { ...fields, Status: `Maybe${i}` })));
    const found = await ofKind(shop, 'UNREADABLE_CALLBACK');
    expect(found).toEqual([expect.objectContaining({ paymentId: null, evidence: expect.objectContaining({ gatewayId: shop.gatewayId, kind: 'pay', problem: expect.any(String), bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/), count: 10 }) })]);
    const stored = await t.deps.db.gatewayCallback.findUniqueOrThrow({ where: { id: found[0].evidence.callbackId as string } });
    expect([stored.verdict, stored.gatewayId]).toEqual(['UNREADABLE', shop.gatewayId]);
    expect(await t.deps.db.gatewayCallback.count({ where: { gatewayId: shop.gatewayId, verdict: 'UNREADABLE' } })).toBe(10);
    expect(await events(shop)).toHaveLength(1);
  });

  it('an outbox row out of attempts is given up (out of the claim index) and becomes OUTBOX_STUCK, with no internal error text', async () => {
    const shop = await fresh();
    const { transactionId: unpaid } = await topUp(t, shop); // PENDING: its credit can never be booked
    const row = await t.deps.db.outbox.create({ data: { key: `credit-forged-${unpaid}`, kind: 'payment.credit', organizationId: shop.orgId, payload: { paymentId: unpaid }, attempts: MAX_OUTBOX_ATTEMPTS - 1 } });
    const found = await waitFor(() => ofKind(shop, 'OUTBOX_STUCK'), (l) => l.length === 1, { timeoutMs: 15_000 });
    expect(found[0]).toMatchObject({ paymentId: unpaid, evidence: { outboxKey: row.key, outboxKind: 'payment.credit', attempts: MAX_OUTBOX_ATTEMPTS, reason: 'out of attempts', summary: expect.any(String) } });
    expect(JSON.stringify(found[0].evidence)).not.toMatch(/not confirmed|lastError/);
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'GIVEN_UP', attempts: MAX_OUTBOX_ATTEMPTS, lastError: expect.stringMatching(/not confirmed/) });
    expect((await events(shop)).map((e) => e.data.kind)).toEqual(['OUTBOX_STUCK']);
    await t.deps.db.outbox.delete({ where: { id: row.id } });
  });

  it('a given-up row stays reported while staff close its item; re-driven and given up again, the closed item reopens with a new event', async () => {
    const shop = await fresh();
    const { transactionId: unpaid } = await topUp(t, shop);
    const row = await t.deps.db.outbox.create({ data: { key: `credit-again-${unpaid}`, kind: 'payment.credit', organizationId: shop.orgId, payload: { paymentId: unpaid }, attempts: MAX_OUTBOX_ATTEMPTS - 1 } });
    const [item] = await waitFor(() => ofKind(shop, 'OUTBOX_STUCK'), (l) => l.length === 1, { timeoutMs: 15_000 });
    const stuckBefore = await stuckOutboxRows(t.deps.db, MAX_OUTBOX_ATTEMPTS);
    expect(stuckBefore).toBeGreaterThanOrEqual(1);
    expect((await t.gql(RESOLVE, { id: item.id, note: 'looked at it' }, shop.token)).body.errors).toBeUndefined();
    expect(await stuckOutboxRows(t.deps.db, MAX_OUTBOX_ATTEMPTS)).toBe(stuckBefore); // closing the item hides nothing from the relay

    expect(await retryGivenUpOutbox(t.deps.db, { id: row.id })).toEqual([expect.objectContaining({ id: row.id, key: row.key })]);
    expect(await retryGivenUpOutbox(t.deps.db, { id: row.id })).toEqual([]); // open again: nothing to re-drive
    await t.deps.db.outbox.update({ where: { id: row.id }, data: { attempts: MAX_OUTBOX_ATTEMPTS - 1 } });
    await waitFor(() => t.deps.db.outbox.findUniqueOrThrow({ where: { id: row.id } }), (r) => r.status === 'GIVEN_UP', { timeoutMs: 15_000 });
    const again = await waitFor(() => ofKind(shop, 'OUTBOX_STUCK'), (l) => l.length === 1 && l[0].resolvedAt === null, { timeoutMs: 15_000 });
    expect(again[0]).toMatchObject({ id: item.id, note: null });
    expect((await events(shop)).filter((e) => e.data.kind === 'OUTBOX_STUCK').map((e) => e.data.id)).toEqual([item.id, item.id]);
    await t.deps.db.outbox.delete({ where: { id: row.id } });
  });

  it('a given-up row that names no environment raises no item (never guessed LIVE), only the operator\'s log', async () => {
    const shop = await fresh();
    const row = await t.deps.db.outbox.create({ data: { key: `event-orphan-${shop.orgId}`, kind: 'webhook.event', organizationId: shop.orgId, payload: { id: 'msg_x' } } }); // malformed: given up at once
    await waitFor(() => t.deps.db.outbox.findUniqueOrThrow({ where: { id: row.id } }), (r) => r.status === 'GIVEN_UP', { timeoutMs: 15_000 });
    expect(await t.deps.db.attentionItem.count({ where: { organizationId: shop.orgId } })).toBe(0);
    expect(await t.deps.db.outbox.count({ where: { organizationId: shop.orgId, kind: 'webhook.event', NOT: { id: row.id } } })).toBe(0);
    await t.deps.db.outbox.delete({ where: { id: row.id } });
  });

  it('partners subscribed to ATTENTION_NEEDED receive the item, signed', async () => {
    const shop = await fresh();
    const url = rx.on(`/attention-${shop.orgId}`, () => ({ status: 200 }));
    const hook = await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }', { i: { url, events: ['ATTENTION_NEEDED'] } }, shop.token);
    expect(hook.body.errors).toBeUndefined();
    const { transactionId } = await topUp(t, shop);
    await notify(shop, 'pay', payFields(transactionId, shop.clientId, '7.00'));
    const [item] = await items(shop);
    const got = await waitFor(async () => rx.at(`/attention-${shop.orgId}`), (l) => l.length === 1, { timeoutMs: 15_000 });
    const message = new Webhook(hook.body.data.createWebhook.secret).verify(got[0].body, { 'webhook-id': got[0].id, 'webhook-timestamp': got[0].timestamp, 'webhook-signature': got[0].signature }) as any;
    expect(message).toMatchObject({ type: 'ATTENTION_NEEDED', environment: 'TEST', data: { id: item.id, kind: 'AMOUNT_MISMATCH', paymentId: transactionId, refundId: null, evidence: expect.objectContaining({ amount: '7.00' }) } });
  });

  it('raiseAttention (for staff actions): one DOUBLE_PAYMENT per payment and transaction, with its event, in the caller\'s transaction', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    const payment = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    const evidence = { transactionId: '777', amount: '500.00', currency: 'RUB' };
    const scope = { organizationId: payment.organizationId, environment: payment.environment, paymentId: payment.id };
    const doublePayment = (tx: Parameters<typeof raiseAttention>[0], _p: unknown, e: typeof evidence) => raiseAttention(tx, scope, [{ kind: 'DOUBLE_PAYMENT', key: e.transactionId, evidence: e }]);
    const first = await t.deps.db.$transaction((tx) => doublePayment(tx, payment, evidence));
    const again = await t.deps.db.$transaction((tx) => doublePayment(tx, payment, evidence));
    expect([first.length, again.length]).toEqual([1, 0]);
    expect(await ofKind(shop, 'DOUBLE_PAYMENT')).toEqual([expect.objectContaining({ paymentId: transactionId, evidence: expect.objectContaining(evidence) })]);
    // rolled back with its transaction: nothing raised
    await expect(t.deps.db.$transaction(async (tx) => {
      await doublePayment(tx, payment, { ...evidence, transactionId: '778' });
      throw new Error('the staff action failed');
    })).rejects.toThrow(/failed/);
    expect(await ofKind(shop, 'DOUBLE_PAYMENT')).toHaveLength(1);
    expect(await events(shop)).toHaveLength(1);
  });

  it('resolves with a trimmed note, once; bad notes are refused and write nothing', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    await notify(shop, 'pay', payFields(transactionId, shop.clientId, '1.00'));
    const [item] = await items(shop, true);
    for (const note of ['', '   ', 'x'.repeat(2001)]) {
      const res = await t.gql(RESOLVE, { id: item.id, note }, shop.token);
      expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'note' } });
    }
    expect((await t.deps.db.attentionItem.findUniqueOrThrow({ where: { id: item.id } })).resolvedAt).toBeNull();
    const [first, second] = await Promise.all([
      t.gql(RESOLVE, { id: item.id, note: '  refunded the difference at the desk  ' }, shop.token),
      t.gql(RESOLVE, { id: item.id, note: 'another' }, shop.token),
    ]);
    const ok = [first, second].filter((r) => r.body.data?.resolveAttentionItem);
    expect(ok).toHaveLength(1);
    expect([first, second].filter((r) => r.body.errors?.[0].extensions?.code === 'CONFLICT')).toHaveLength(1);
    const resolved = await t.deps.db.attentionItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(resolved.note).toBe(ok[0].body.data.resolveAttentionItem.note);
    expect(['refunded the difference at the desk', 'another']).toContain(resolved.note);
    expect(await items(shop, true)).toEqual([]);
    expect((await items(shop, false)).map((i) => [i.id, i.note])).toEqual([[item.id, resolved.note]]);
    expect((await t.gql(RESOLVE, { id: 'att_doesnotexist0000000000', note: 'x' }, shop.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(ITEMS, { first: 101 }, shop.token)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages newest first with a cursor', async () => {
    const shop = await fresh();
    for (const amount of ['1.00', '2.00', '3.00']) {
      const { transactionId } = await topUp(t, shop);
      await notify(shop, 'pay', payFields(transactionId, shop.clientId, amount));
    }
    const all = await items(shop);
    expect(all.map((i) => i.evidence.amount)).toEqual(['3.00', '2.00', '1.00']);
    const page = (await t.gql(ITEMS, { first: 2 }, shop.token)).body.data.attentionItems;
    expect([page.edges.length, page.pageInfo.hasNextPage]).toEqual([2, true]);
    const rest = (await t.gql(ITEMS, { first: 2, after: page.pageInfo.endCursor }, shop.token)).body.data.attentionItems;
    expect([rest.edges.map((e: { node: Item }) => e.node.id), rest.pageInfo.hasNextPage]).toEqual([[all[2].id], false]);
  });

  it('a VIEWER lists but may not resolve; other organizations and the other environment see and change nothing', async () => {
    const shop = await fresh();
    const { transactionId } = await topUp(t, shop);
    await notify(shop, 'pay', payFields(transactionId, shop.clientId, '9.00'));
    const [item] = await items(shop);
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await items(shop, undefined, viewer.token)).map((i) => i.id)).toEqual([item.id]);
    const refused = await t.gql(RESOLVE, { id: item.id, note: 'viewer' }, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await items(shop, undefined, shop.liveToken)).toEqual([]);
    expect((await t.gql(RESOLVE, { id: item.id, note: 'live' }, shop.liveToken)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const other = await fresh();
    expect(await items(other)).toEqual([]);
    expect((await t.gql(RESOLVE, { id: item.id, note: 'other' }, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.deps.db.attentionItem.findUniqueOrThrow({ where: { id: item.id } })).resolvedAt).toBeNull();
  });
});

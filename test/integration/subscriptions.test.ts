// Subscriptions: createSubscription on a saved card at the sandbox (subscriptions/create), its life
// on the sandbox's schedule (SANDBOX_TIME_SCALE=86400: a DAY every second) with each Pay credited
// once and each Fail recorded, PAST_DUE / CANCELLED / EXPIRED with their partner events, the
// re-activation quirk never triggered, duplicated, replayed, stale and forged notifications, and
// the tenant guards.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification, type Fields } from '../helpers/callbacks';
import { balanceOf, makeShop, outboxDrained, plus, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const FIELDS = 'id clientId paymentMethodId gatewaySubscriptionId status amount currency interval period maxPeriods description startDate nextChargeAt successfulCharges failedCharges cancelledAt';
const CREATE = `mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateSubscriptionInput!) { updateSubscription(id: $id, input: $i) { ${FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelSubscription(id: $id) { ${FIELDS} } }`;
const GET = `query($id: ID!) { subscription(id: $id) { ${FIELDS} payments(first: 10) { edges { node { id status amount subscriptionId failureCode } } } } }`;
const LIST = 'query($c: ID, $s: SubscriptionStatus, $f: Int, $a: String) { subscriptions(clientId: $c, status: $s, first: $f, after: $a) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }';

const HOUR = 3_600_000;

describe('subscriptions (sandbox, SANDBOX_TIME_SCALE=86400)', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('subscriptions', { SANDBOX_TIME_SCALE: '86400' }, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  async function saveCard(card: string, s: Shop = shop) {
    const { paymentUrl, transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
    expect((await payWithCard(paymentUrl, card)).status).toBe(303);
    await waitFor(() => t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } }), (p) => p.status === 'CONFIRMED');
    const m = await t.deps.db.savedPaymentMethod.findFirst({ where: { organizationId: s.orgId, clientId: s.clientId }, orderBy: { createdAt: 'desc' } });
    return m!.id;
  }
  const create = (input: Record<string, unknown>, token = shop.token) =>
    t.gql(CREATE, { i: { clientId: shop.clientId, amount: '300', interval: 'DAY', period: 1, description: 'Gym membership', ...input } }, token);
  const row = (id: string) => t.deps.db.subscription.findUniqueOrThrow({ where: { id } });
  /** What the sandbox (the gateway) holds, asked as Paygate asks it. */
  const atSandbox = async (scId: string, s: Shop = shop) => {
    const res = await fetch(`${t.url}/sandbox/api/subscriptions/get`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`pk_${s.orgId}:${s.apiSecret}`).toString('base64')}` },
      body: JSON.stringify({ Id: scId }),
    });
    return ((await res.json()) as any).Model as { Status: string; Amount: number; StartDateIso: string; NextTransactionDateIso: string | null; SuccessfulTransactionsNumber: number; Interval: string; Period: number; AccountId: string };
  };
  const events = async (type: string, subscriptionId: string) => (await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event' } }))
    .filter((o) => { const m = (o.payload as any).message; return m.type === type && (m.data.id === subscriptionId || m.data.subscriptionId === subscriptionId); });
  const paymentsOf = (subscriptionId: string) => t.deps.db.payment.findMany({ where: { subscriptionId }, orderBy: { createdAt: 'asc' } });

  it('creates at the gateway with the fields asked for; startDate defaults to one period from now and must be in the future', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const before = Date.now();
    const res = await create({ paymentMethodId: method, interval: 'WEEK', period: 2, maxPeriods: 12, amount: '1500.5' });
    expect(res.body.errors).toBeUndefined();
    const s = res.body.data.createSubscription;
    expect([s.status, s.amount, s.currency, s.interval, s.period, s.maxPeriods, s.clientId, s.paymentMethodId]).toEqual(['ACTIVE', '1500.50', 'RUB', 'WEEK', 2, 12, shop.clientId, method]);
    const start = Date.parse(s.startDate);
    expect(start).toBeGreaterThanOrEqual(before + 14 * 86_400_000);
    expect(start).toBeLessThanOrEqual(Date.now() + 14 * 86_400_000);
    expect(s.gatewaySubscriptionId).toMatch(/^sc_[0-9a-f]{30}$/);
    const g = await atSandbox(s.gatewaySubscriptionId);
    expect([g.Status, g.Amount, g.Interval, g.Period, g.AccountId, g.StartDateIso]).toEqual(['Active', 1500.5, 'Week', 2, shop.clientId, s.startDate.slice(0, 19)]);
    expect(await events('SUBSCRIPTION_CREATED', s.id)).toHaveLength(1);
    await t.gql(CANCEL, { id: s.id }, shop.token);

    const count = await t.deps.db.subscription.count();
    const past = await create({ paymentMethodId: method, startDate: new Date(Date.now() - 1000).toISOString() });
    expect(past.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(past.body.errors?.[0].message).toMatch(/startDate must be in the future/);
    const currency = await create({ paymentMethodId: method, currency: 'USD' });
    expect(currency.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const period = await create({ paymentMethodId: method, period: 0 });
    expect(period.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await create({ paymentMethodId: 'pm_unknown' });
    expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await t.deps.db.subscription.count()).toBe(count);
  });

  it('the same idempotencyKey makes one subscription; with other input it is a CONFLICT', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const input = { paymentMethodId: method, idempotencyKey: 'sub-key-1', startDate: new Date(Date.now() + 30 * 86_400_000).toISOString() };
    const [a, b] = await Promise.all([create(input), create(input)]);
    expect(a.body.data.createSubscription.id).toBe(b.body.data.createSubscription.id);
    expect(a.body.data.createSubscription.gatewaySubscriptionId).toBe(b.body.data.createSubscription.gatewaySubscriptionId);
    expect(await t.deps.db.subscription.count({ where: { idempotencyKey: 'sub-key-1' } })).toBe(1);
    const other = await create({ ...input, amount: '301' });
    expect(other.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    await t.gql(CANCEL, { id: a.body.data.createSubscription.id }, shop.token);
  });

  it('charges on schedule: three Pays credit three times (balance exact), then EXPIRED at maxPeriods and charges no more', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const s = (await create({ paymentMethodId: method, amount: '333.33', maxPeriods: 3, startDate: new Date(Date.now() + HOUR).toISOString() })).body.data.createSubscription;
    const done = await waitFor(() => row(s.id), (r) => r.status === 'EXPIRED', { timeoutMs: 30_000 });
    expect([done.successfulCharges, done.failedCharges, done.nextChargeAt]).toEqual([3, 0, null]);
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, '333.33', '333.33', '333.33'), { timeoutMs: 15_000 });
    await outboxDrained(t);
    const payments = await paymentsOf(s.id);
    expect(payments.map((p) => [p.status, p.amount.toFixed(2), p.clientId, p.clubId, p.gatewayId, p.environment])).toEqual(Array(3).fill(['CONFIRMED', '333.33', shop.clientId, shop.clubId, shop.gatewayId, 'TEST']));
    for (const p of payments) expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: p.id } })).toBe(1);
    expect(await balanceOf(t, shop)).toBe(plus(before, '333.33', '333.33', '333.33'));
    expect((await atSandbox(s.gatewaySubscriptionId)).Status).toBe('Expired');
    expect((await atSandbox(s.gatewaySubscriptionId)).NextTransactionDateIso).toBeNull();
    expect(await events('SUBSCRIPTION_EXPIRED', s.id)).toHaveLength(1);
    expect((await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event' } })).filter((o) => { const m = (o.payload as any).message; return m.type === 'PAYMENT_RECEIVED' && payments.some((p) => p.id === m.data.id) && m.data.subscriptionId === s.id; })).toHaveLength(3);
    // The API shows them, each linked to its subscription.
    const got = (await t.gql(GET, { id: s.id }, shop.token)).body.data.subscription;
    expect(got.payments.edges.map((e: any) => [e.node.status, e.node.amount, e.node.subscriptionId])).toEqual(Array(3).fill(['CONFIRMED', '333.33', s.id]));

    // Replays of every Pay and Recurrent the sandbox sent change nothing.
    const callbacks = await t.deps.db.gatewayCallback.findMany({ where: { gatewayId: shop.gatewayId, kind: 'pay', paymentId: { in: payments.map((p) => p.id) } } });
    expect(callbacks).toHaveLength(3);
    for (const p of payments) {
      const res = await sendNotification(t.url, shop.gatewayId, 'pay', { ...payFields('', shop.clientId, '333.33', { TransactionId: p.gatewayTransactionId!, SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: shop.apiSecret });
      expect(res.body).toEqual({ code: 0 });
    }
    const stale = await sendNotification(t.url, shop.gatewayId, 'recurrent', recurrent(s.gatewaySubscriptionId, { Status: 'Active', SuccessfulTransactionsNumber: 1, Amount: '333.33' }), { secret: shop.apiSecret });
    expect(stale.body).toEqual({ code: 0 });
    await outboxDrained(t);
    expect(await paymentsOf(s.id)).toHaveLength(3);
    expect(await balanceOf(t, shop)).toBe(plus(before, '333.33', '333.33', '333.33'));
    expect((await row(s.id)).status).toBe('EXPIRED');
  });

  it('a declined charge makes a FAILED payment and PAST_DUE (with its event); cancelled: CANCELLED with its event, no more charges; an update is refused and never reaches the gateway', async () => {
    const method = await saveCard(CARDS.tokenDeclines);
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    // WEEK: the first charge at once (an hour from now, scaled), the next seven seconds later.
    const s = (await create({ paymentMethodId: method, interval: 'WEEK', startDate: new Date(Date.now() + HOUR).toISOString() })).body.data.createSubscription;
    const pastDue = await waitFor(() => row(s.id), (r) => r.status === 'PAST_DUE', { timeoutMs: 30_000 });
    expect([pastDue.successfulCharges, pastDue.failedCharges]).toEqual([0, 1]);
    const [failed] = await paymentsOf(s.id);
    expect([failed.status, failed.failureCode, failed.amount.toFixed(2)]).toEqual(['FAILED', '5051', '300.00']);
    expect(await events('SUBSCRIPTION_PAST_DUE', s.id)).toHaveLength(1);

    const cancelled = await t.gql(CANCEL, { id: s.id }, shop.token);
    expect(cancelled.body.data.cancelSubscription.status).toBe('CANCELLED');
    const again = await t.gql(CANCEL, { id: s.id }, shop.token);
    expect(again.body.data.cancelSubscription).toEqual(cancelled.body.data.cancelSubscription);
    expect((await atSandbox(s.gatewaySubscriptionId)).Status).toBe('Cancelled');
    expect((await atSandbox(s.gatewaySubscriptionId)).NextTransactionDateIso).toBeNull();
    // The sandbox's Recurrent for the cancel arrives, a repeat: one event.
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { gatewayId: shop.gatewayId, kind: 'recurrent', body: { path: ['Status'], equals: 'Cancelled' } } }), (n) => n >= 1);
    expect(await events('SUBSCRIPTION_CANCELLED', s.id)).toHaveLength(1);

    // CloudPayments would re-activate it on any update: refused here, and the gateway keeps it Cancelled.
    const update = await t.gql(UPDATE, { id: s.id, i: { amount: '10' } }, shop.token);
    expect(update.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await atSandbox(s.gatewaySubscriptionId)).Status).toBe('Cancelled');
    expect((await row(s.id)).amount.toFixed(2)).toBe('300.00');
    // A Recurrent saying Active again without a newer transaction (stale, reordered) changes nothing.
    const reordered = await sendNotification(t.url, shop.gatewayId, 'recurrent', recurrent(s.gatewaySubscriptionId, { Status: 'PastDue', FailedTransactionsNumber: 1 }), { secret: shop.apiSecret });
    expect(reordered.body).toEqual({ code: 0 });
    expect((await row(s.id)).status).toBe('CANCELLED');
    expect(await paymentsOf(s.id)).toHaveLength(1);
    expect(await balanceOf(t, shop)).toBe(before);
  });

  it('updates an active subscription at the gateway', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const s = (await create({ paymentMethodId: method, startDate: new Date(Date.now() + 300 * 86_400_000).toISOString() })).body.data.createSubscription;
    const res = await t.gql(UPDATE, { id: s.id, i: { amount: '450', description: 'Gym, gold' } }, shop.token);
    expect(res.body.errors).toBeUndefined();
    expect([res.body.data.updateSubscription.amount, res.body.data.updateSubscription.description]).toEqual(['450.00', 'Gym, gold']);
    expect((await atSandbox(s.gatewaySubscriptionId)).Amount).toBe(450);
    expect(await events('SUBSCRIPTION_UPDATED', s.id)).toHaveLength(1);
    await t.gql(CANCEL, { id: s.id }, shop.token);
  });

  it('duplicate and concurrent Pays of one recurring transaction make one payment and one credit; a forged one is refused', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const s = (await create({ paymentMethodId: method, startDate: new Date(Date.now() + 300 * 86_400_000).toISOString() })).body.data.createSubscription;
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const fields: Fields = { ...payFields('', shop.clientId, '300.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined };
    const answers = await Promise.all(Array.from({ length: 6 }, () => sendNotification(t.url, shop.gatewayId, 'pay', fields, { secret: shop.apiSecret })));
    expect(answers.map((a) => a.body)).toEqual(Array(6).fill({ code: 0 }));
    await outboxDrained(t);
    const payments = await paymentsOf(s.id);
    expect(payments.map((p) => [p.status, p.gatewayTransactionId])).toEqual([['CONFIRMED', String(fields.TransactionId)]]);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: payments[0].id } })).toBe(1);
    expect(await balanceOf(t, shop)).toBe(plus(before, 300));
    // A recurring Fail records a FAILED payment with the reason, crediting nothing.
    const fail = await sendNotification(t.url, shop.gatewayId, 'fail', { ...payFields('', shop.clientId, '300.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: shop.apiSecret });
    expect(fail.body).toEqual({ code: 0 });
    expect((await paymentsOf(s.id)).map((p) => [p.status, p.failureCode])).toEqual([['CONFIRMED', null], ['FAILED', '5051']]);
    // A recurring Check is answered by the subscription: its amount, or code 12.
    const check = await sendNotification(t.url, shop.gatewayId, 'check', { ...payFields('', shop.clientId, '300.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: shop.apiSecret });
    expect(check.body).toEqual({ code: 0 });
    const wrong = await sendNotification(t.url, shop.gatewayId, 'check', { ...payFields('', shop.clientId, '999.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: shop.apiSecret });
    expect(wrong.body).toEqual({ code: 12 });
    // Forged: a bad signature is refused, nothing made.
    const forged = await sendNotification(t.url, shop.gatewayId, 'pay', { ...payFields('', shop.clientId, '300.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const forgedRecurrent = await sendNotification(t.url, shop.gatewayId, 'recurrent', recurrent(s.gatewaySubscriptionId, { Status: 'Cancelled' }), { secret: 'not-the-secret' });
    expect(forgedRecurrent.status).toBe(401);
    expect((await row(s.id)).status).toBe('ACTIVE');
    expect(await paymentsOf(s.id)).toHaveLength(2);
    await outboxDrained(t);
    expect(await balanceOf(t, shop)).toBe(plus(before, 300));
    await t.gql(CANCEL, { id: s.id }, shop.token);
  });

  it('a Recurrent is applied once and never rolled back by an older one; an unknown subscription id changes nothing', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const s = (await create({ paymentMethodId: method, startDate: new Date(Date.now() + 300 * 86_400_000).toISOString() })).body.data.createSubscription;
    const newer = recurrent(s.gatewaySubscriptionId, { Status: 'PastDue', SuccessfulTransactionsNumber: 4, FailedTransactionsNumber: 2, LastTransactionDate: '2026-12-02 10:00:00', NextTransactionDate: '2026-12-09 10:00:00' });
    const older = recurrent(s.gatewaySubscriptionId, { Status: 'Active', SuccessfulTransactionsNumber: 4, FailedTransactionsNumber: 0, LastTransactionDate: '2026-12-01 10:00:00' });
    for (const body of [newer, newer, older, newer]) expect((await sendNotification(t.url, shop.gatewayId, 'recurrent', body, { secret: shop.apiSecret })).body).toEqual({ code: 0 });
    const r = await row(s.id);
    expect([r.status, r.successfulCharges, r.failedCharges, r.nextChargeAt?.toISOString()]).toEqual(['PAST_DUE', 4, 2, '2026-12-09T10:00:00.000Z']);
    expect(await events('SUBSCRIPTION_PAST_DUE', s.id)).toHaveLength(1);
    const unknown = await sendNotification(t.url, shop.gatewayId, 'recurrent', recurrent('sc_00000000000000000000000000000f', { Status: 'Cancelled' }), { secret: shop.apiSecret });
    expect(unknown.body).toEqual({ code: 0 });
    expect(await t.deps.db.attentionItem.count({ where: { organizationId: shop.orgId, kind: 'UNKNOWN_SUBSCRIPTION' } })).toBe(1);
    await t.gql(CANCEL, { id: s.id }, shop.token);
  });

  it('tenants: another organization\'s gateway cannot credit through this subscription; LIVE keys and other organizations see nothing; VIEWER cannot change', async () => {
    const method = await saveCard(CARDS.tokenApproved);
    const s = (await create({ paymentMethodId: method, startDate: new Date(Date.now() + 300 * 86_400_000).toISOString() })).body.data.createSubscription;
    const other = await makeShop(t, { clientId: shop.clientId });
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    // Signed by the other organization's gateway, naming this one's subscription: nothing of this organization's moves.
    const res = await sendNotification(t.url, other.gatewayId, 'pay', { ...payFields('', shop.clientId, '300.00', { SubscriptionId: s.gatewaySubscriptionId }), InvoiceId: undefined }, { secret: other.apiSecret });
    expect(res.body).toEqual({ code: 0 });
    await outboxDrained(t);
    expect(await paymentsOf(s.id)).toHaveLength(0);
    expect(await balanceOf(t, shop)).toBe(before);
    expect(await balanceOf(t, other)).toBe('0.00');
    // Reads: another organization, or this one's LIVE key: not found / empty.
    expect((await t.gql(GET, { id: s.id }, other.token)).body.data.subscription).toBeNull();
    expect((await t.gql(GET, { id: s.id }, shop.liveToken)).body.data.subscription).toBeNull();
    expect((await t.gql(LIST, {}, shop.liveToken)).body.data.subscriptions.edges).toEqual([]);
    expect((await t.gql(CANCEL, { id: s.id }, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(UPDATE, { id: s.id, i: { amount: '1' } }, shop.liveToken)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // The other organization cannot subscribe this organization's card.
    expect((await t.gql(CREATE, { i: { clientId: shop.clientId, paymentMethodId: method, amount: '1', interval: 'DAY', period: 1, description: 'x' } }, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await t.gql(CANCEL, { id: s.id }, viewer.token)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(GET, { id: s.id }, viewer.token)).body.data.subscription.status).toBe('ACTIVE');
    expect((await row(s.id)).status).toBe('ACTIVE');
    await t.gql(CANCEL, { id: s.id }, shop.token);
  });

  it('lists newest first, by client and status, in pages', async () => {
    const s = await makeShop(t, { clientId: 'lister' });
    const method = await saveCard(CARDS.tokenApproved, s);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.gql(CREATE, { i: { clientId: 'lister', paymentMethodId: method, amount: String(100 + i), interval: 'MONTH', period: 1, description: `Plan ${i}` } }, s.token);
      ids.push(res.body.data.createSubscription.id);
    }
    await t.gql(CANCEL, { id: ids[0] }, s.token);
    const first = (await t.gql(LIST, { c: 'lister', f: 2 }, s.token)).body.data.subscriptions;
    expect(first.edges.map((e: any) => e.node.id)).toEqual([ids[2], ids[1]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await t.gql(LIST, { c: 'lister', f: 2, a: first.pageInfo.endCursor }, s.token)).body.data.subscriptions;
    expect(second.edges.map((e: any) => e.node.id)).toEqual([ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect((await t.gql(LIST, { c: 'lister', s: 'CANCELLED' }, s.token)).body.data.subscriptions.edges.map((e: any) => e.node.id)).toEqual([ids[0]]);
    expect((await t.gql(LIST, { c: 'nobody' }, s.token)).body.data.subscriptions.edges).toEqual([]);
    expect((await t.gql(LIST, { a: 'junk' }, s.token)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    for (const id of ids.slice(1)) await t.gql(CANCEL, { id }, s.token);
  });
});

function recurrent(id: string, over: Record<string, string | number>) {
  return {
    Id: id, AccountId: 'client_xyz', Description: 'Gym membership', Email: 'anna@example.com', Amount: '300.00', Currency: 'RUB', RequireConfirmation: 0,
    StartDate: '2026-12-01 00:00:00', Interval: 'Day', Period: 1, Status: 'Active', SuccessfulTransactionsNumber: 0, FailedTransactionsNumber: 0, ...over,
  };
}


// A TEST key and a LIVE key of one organization side by side: one club, one client, a TEST sandbox
// gateway and a LIVE CloudPayments gateway serving the same club, one webhook endpoint each. The
// whole lifecycle runs in both environments, and nothing crosses over in either direction.
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { ledgerInvariant, outboxDrained, storedBalance, type Shop, plus } from '../helpers/fixtures';
import { Receiver } from '../helpers/receiver';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';

type Env = 'LIVE' | 'TEST';
const SECRET = 'cp_live_secret_E7';
const LIVE_PUBLIC_ID = 'pk_live_env';
const CLUB = 'club_env';
const OTHER_CLUB = 'club_no_live';
const CLIENT = 'client_env';
const EVENTS = ['PAYMENT_RECEIVED', 'PAYMENT_FAILED', 'PAYMENT_CANCELLED', 'PAYMENT_REFUNDED'];

interface Side {
  env: Env;
  token: string;
  gatewayId: string;
  /** What the gateway signs its callbacks with. */
  secret: string;
  hookId: string;
  hookSecret: string;
  path: string;
  /** Confirmed, credited and partly refunded by the lifecycle test. */
  paid: string;
  /** Still PENDING (made for the leakage checks). */
  pending: string;
}

describe('TEST and LIVE environments side by side', () => {
  const cp = new CloudPaymentsSimulator({ [LIVE_PUBLIC_ID]: SECRET });
  const rx = new Receiver();
  let t: TestApp;
  let orgId: string;
  const test = { env: 'TEST', path: '/test', secret: 'sandbox-secret-env' } as Side;
  const live = { env: 'LIVE', path: '/live', secret: SECRET } as Side;

  const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => t.gql(query, variables, token);
  const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql(token, query, variables);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const configure = (side: Side, input: Record<string, unknown>) => gql(side.token,
    'mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id environment type publicId clubIds isActive } }', { i: { organizationId: orgId, ...input } });

  beforeAll(async () => {
    await Promise.all([cp.start(), rx.start()]);
    t = await startTestApp('environments', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
    const org = await makeOrg(t.deps);
    orgId = org.orgId;
    test.token = org.testToken;
    live.token = org.token;
    await ok(test.token, `mutation { a: upsertClub(input: { id: "${CLUB}", name: "Club" }) { id } b: upsertClub(input: { id: "${OTHER_CLUB}", name: "Other" }) { id }
      upsertClient(input: { id: "${CLIENT}", clubId: "${CLUB}", name: "Anna", email: "anna@example.com" }) { id } }`);
    test.gatewayId = (await configure(test, { type: 'SANDBOX', publicId: 'pk_sandbox_env', apiSecret: test.secret, clubIds: [CLUB] })).body.data.configurePaymentGateway.id;
    live.gatewayId = (await configure(live, { type: 'CLOUDPAYMENTS', publicId: LIVE_PUBLIC_ID, apiSecret: SECRET, clubIds: [CLUB] })).body.data.configurePaymentGateway.id;
    for (const side of [test, live]) {
      const hook = await ok(side.token, 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }', { i: { url: rx.on(side.path, () => ({ status: 204 })), events: EVENTS } });
      [side.hookId, side.hookSecret] = [hook.createWebhook.id, hook.createWebhook.secret];
    }
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([cp.stop(), rx.stop()]);
  });

  const initiate = async (side: Side, amount: number, extra: Record<string, unknown> = {}, clubId = CLUB) => {
    const data = await ok(side.token, 'mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId paymentUrl payment { environment } } }',
      { i: { clientId: CLIENT, clubId, amount, ...extra } });
    expect(data.initiateTopUpPayment.payment.environment).toBe(side.env);
    return { id: data.initiateTopUpPayment.transactionId as string, paymentUrl: data.initiateTopUpPayment.paymentUrl as string };
  };
  const debit = (side: Side, amount: number, extra: Record<string, unknown> = {}) =>
    gql(side.token, 'mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id kind amount balanceAfter } }', { i: { clientId: CLIENT, amount, reason: 'visit', ...extra } });
  const refund = (side: Side, transactionId: string, amount: number, idempotencyKey?: string) =>
    gql(side.token, 'mutation($i: RefundInput!) { refundPayment(input: $i) { success refundId amount } }', { i: { transactionId, amount, idempotencyKey } });
  const balances = async () => ({ LIVE: await storedBalance(t, orgId, CLIENT, 'LIVE'), TEST: await storedBalance(t, orgId, CLIENT, 'TEST') });
  const clientAs = async (side: Side) => {
    const { client } = await ok(side.token, 'query($id: ID!) { client(id: $id) { balance ledger { edges { node { kind amount paymentId } } } } }', { id: CLIENT });
    return { balance: client.balance, ledger: client.ledger.edges.map((e: any) => [e.node.kind, e.node.amount]) };
  };
  const callbackUrl = (side: Side, kind: string) => `${t.url}/payments/cloudpayments/${side.gatewayId}/${kind}`;
  /** Every credit, booking and webhook delivery already due has been carried out. */
  const quiet = async () => {
    await outboxDrained(t);
    await waitFor(() => t.deps.db.webhookDelivery.count({ where: { status: 'PENDING' } }), (n) => n === 0);
  };
  const historyCodes = async (paymentId: string) =>
    (await t.deps.db.paymentEvent.findMany({ where: { paymentId }, orderBy: { id: 'asc' } })).map((e) => e.code);

  /** Everything of one environment that a key of the other must not change. */
  async function stateOf(side: Side) {
    const db = t.deps.db;
    const where = { organizationId: orgId, environment: side.env };
    return {
      payments: await db.payment.findMany({ where, orderBy: { id: 'asc' }, select: { id: true, status: true, refundedAmount: true, gatewayId: true, updatedAt: true } }),
      events: await db.paymentEvent.count({ where: { payment: where } }),
      refunds: await db.refund.findMany({ where, orderBy: { id: 'asc' }, select: { id: true, status: true, amount: true } }),
      ledger: await db.ledgerEntry.count({ where }),
      balance: await storedBalance(t, orgId, CLIENT, side.env),
      hooks: await db.webhookEndpoint.findMany({ where, select: { id: true, url: true, events: true, isActive: true, secretEncrypted: true, previousSecretEncrypted: true, updatedAt: true } }),
      deliveries: await db.webhookDelivery.findMany({ where, orderBy: { id: 'asc' }, select: { id: true, status: true, attempts: true, nextAttemptAt: true } }),
      gateways: await db.paymentGateway.findMany({ where, orderBy: { id: 'asc' }, select: { id: true, isActive: true, apiSecretEncrypted: true, updatedAt: true } }),
      routing: await db.paymentGatewayClub.findMany({ where, orderBy: { clubId: 'asc' } }),
    };
  }

  it('the lifecycle in each environment: credit, debits and refunds move only that environment\'s balance', async () => {
    // TEST: the sandbox's checkout sends Check and Pay with TestMode=1
    const testPay = await initiate(test, 500);
    expect(await sendNotification(t.url, test.gatewayId, 'check', payFields(testPay.id, CLIENT, '500.00'), { secret: test.secret })).toEqual({ status: 200, body: { code: 0 } });
    await payWithCard(testPay.paymentUrl, CARDS.success);
    await waitFor(balances, (b) => b.TEST === '500.00');
    await outboxDrained(t);
    expect(await balances()).toEqual({ LIVE: '0.00', TEST: '500.00' });
    expect(await clientAs(live)).toEqual({ balance: '0.00', ledger: [] });
    // the money is TEST's: the LIVE key has nothing to spend
    const nothing = await debit(live, 1);
    expect(nothing.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: `insufficient balance: client ${CLIENT} has 0.00 RUB` });

    // LIVE: CloudPayments, Check and Pay with TestMode=0
    const livePay = await initiate(live, 300);
    const txn = cp.payInvoice(livePay.id);
    const fields = payFields(livePay.id, CLIENT, '300.00', { TransactionId: txn.TransactionId, TestMode: 0 });
    expect(await cp.notify(callbackUrl(live, 'check'), LIVE_PUBLIC_ID, fields)).toEqual({ status: 200, body: { code: 0 } });
    expect(await cp.notify(callbackUrl(live, 'pay'), LIVE_PUBLIC_ID, fields)).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(balances, (b) => b.LIVE === '300.00');
    await outboxDrained(t);
    expect(await balances()).toEqual({ LIVE: '300.00', TEST: '500.00' });

    expect((await debit(test, 100)).body.data.debitBalance).toMatchObject({ kind: 'SPEND', amount: '-100.00', balanceAfter: '400.00' });
    expect((await debit(live, 50)).body.data.debitBalance).toMatchObject({ kind: 'SPEND', amount: '-50.00', balanceAfter: '250.00' });
    expect(await balances()).toEqual({ LIVE: '250.00', TEST: '400.00' });
    // the two balances together would cover these; each key's own does not
    expect((await debit(test, 401)).body.errors?.[0].message).toBe(`insufficient balance: client ${CLIENT} has 400.00 RUB`);
    expect((await debit(live, 251)).body.errors?.[0].message).toBe(`insufficient balance: client ${CLIENT} has 250.00 RUB`);

    expect((await refund(test, testPay.id, 100)).body.data.refundPayment).toMatchObject({ success: true, amount: '100.00' });
    await waitFor(balances, (b) => b.TEST === '300.00');
    // the sandbox's own Refund notification for it comes too, and books nothing twice
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: testPay.id, kind: 'refund' } }), (n) => n === 1);
    expect((await refund(live, livePay.id, 30)).body.data.refundPayment).toMatchObject({ success: true, amount: '30.00' });
    await waitFor(balances, (b) => b.LIVE === '220.00');
    await quiet();
    expect(await balances()).toEqual({ LIVE: '220.00', TEST: '300.00' });
    expect(await clientAs(test)).toEqual({ balance: '300.00', ledger: [['REFUND', '-100.00'], ['SPEND', '-100.00'], ['TOP_UP', '500.00']] });
    expect(await clientAs(live)).toEqual({ balance: '220.00', ledger: [['REFUND', '-30.00'], ['SPEND', '-50.00'], ['TOP_UP', '300.00']] });
    for (const env of ['LIVE', 'TEST'] as const) {
      const inv = await ledgerInvariant(t, { orgId } as Shop, CLIENT, env);
      expect(inv.balance).toBe(inv.sum);
    }
    for (const [side, p, amount] of [[test, testPay, '100.00'], [live, livePay, '30.00']] as const) {
      const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: p.id }, include: { refunds: true, ledger: true } });
      expect([row.environment, row.status, row.gatewayId, row.refundedAmount.toFixed(2)]).toEqual([side.env, 'PARTIALLY_REFUNDED', side.gatewayId, amount]);
      expect(row.refunds.map((r) => [r.environment, r.status, r.amount.toFixed(2)])).toEqual([[side.env, 'SUCCEEDED', amount]]);
      expect(new Set(row.ledger.map((e) => e.environment))).toEqual(new Set([side.env]));
      const seen = await ok(side.token, 'query($id: ID!) { payment(id: $id) { environment status refunds { amount } } }', { id: p.id });
      expect(seen.payment).toEqual({ environment: side.env, status: 'PARTIALLY_REFUNDED', refunds: [{ amount }] });
      side.paid = p.id;
    }
  });

  it('each webhook endpoint receives only its environment\'s events, and the payloads say which', async () => {
    const expected = {
      TEST: [['PAYMENT_RECEIVED', test.paid, '500.00'], ['PAYMENT_REFUNDED', test.paid, '300.00']],
      LIVE: [['PAYMENT_RECEIVED', live.paid, '300.00'], ['PAYMENT_REFUNDED', live.paid, '220.00']],
    };
    for (const [side, other] of [[test, live], [live, test]]) {
      const got = await waitFor(async () => rx.at(side.path), (l) => l.length >= 2);
      expect(got.map((r) => [r.json.type, r.json.data.id, r.json.data.balanceAfter]).sort()).toEqual(expected[side.env].sort());
      for (const r of got) {
        expect([r.json.environment, r.json.data.environment]).toEqual([side.env, side.env]);
        expect(Receiver.verify(side.hookSecret, r)).toEqual(r.json);
        expect(() => Receiver.verify(other.hookSecret, r)).toThrow();
      }
      const { webhookDeliveries } = await ok(side.token, 'query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { status payload } } } }', { id: side.hookId });
      expect(webhookDeliveries.edges.map((e: any) => [e.node.status, JSON.parse(e.node.payload).environment])).toEqual([['DELIVERED', side.env], ['DELIVERED', side.env]]);
      expect((await ok(side.token, '{ webhooks { id environment } }')).webhooks).toEqual([{ id: side.hookId, environment: side.env }]);
      const gateways = await ok(side.token, '{ paymentGateways { id environment clubIds } }');
      expect(gateways.paymentGateways).toEqual([{ id: side.gatewayId, environment: side.env, clubIds: [CLUB] }]);
    }
  });

  describe('a key never reads or changes the other environment\'s rows', () => {
    beforeAll(async () => {
      test.pending = (await initiate(test, 25)).id;
      live.pending = (await initiate(live, 35)).id;
      await quiet();
    });

    it.each([['TEST', 'LIVE'], ['LIVE', 'TEST']])('a %s key and the %s environment', async (actorEnv) => {
      const [actor, victim] = actorEnv === 'TEST' ? [test, live] : [live, test];
      const before = await stateOf(victim);
      const gatewayCalls = cp.requests.length;
      const delivery = await t.deps.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: victim.hookId } });

      const read = await gql(actor.token, 'query($a: ID!, $b: ID!) { a: payment(id: $a) { id } b: payment(id: $b) { id } }', { a: victim.paid, b: victim.pending });
      expect(read.body).toEqual({ data: { a: null, b: null } });
      const refused: Array<[string, Record<string, unknown>]> = [
        ['mutation($id: ID!) { refundPayment(input: { transactionId: $id, amount: 1 }) { success } }', { id: victim.paid }],
        ['mutation($id: ID!) { refundPayment(input: { transactionId: $id }) { success } }', { id: victim.paid }],
        ['mutation($id: ID!) { cancelPayment(id: $id) { id } }', { id: victim.pending }],
        ['mutation($id: ID!) { capturePayment(id: $id) { id } }', { id: victim.pending }],
        ['mutation($id: ID!) { voidPayment(id: $id) { id } }', { id: victim.pending }],
        ['mutation($id: ID!) { reconcilePayment(id: $id) { id } }', { id: victim.paid }],
        ['mutation($id: ID!) { reconcilePayment(id: $id) { id } }', { id: victim.pending }],
        ['query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { cursor } } }', { id: victim.hookId }],
        ['mutation($id: ID!) { updateWebhook(id: $id, input: { url: "http://127.0.0.1:9/stolen", isActive: false }) { id } }', { id: victim.hookId }],
        ['mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: victim.hookId }],
        ['mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', { id: delivery.id }],
        ['mutation($id: ID!) { replayWebhookDeliveries(webhookId: $id, since: "2020-01-01T00:00:00Z") }', { id: victim.hookId }],
        ['mutation($id: ID!) { deleteWebhook(id: $id) }', { id: victim.hookId }],
      ];
      for (const [query, variables] of refused) {
        const res = await gql(actor.token, query, variables);
        expect([query, res.body.errors?.[0]?.extensions?.code]).toEqual([query, 'NOT_FOUND']);
      }
      // the actor's own gateway reporting a payment of the victim's environment moves nothing
      const amount = (await t.deps.db.payment.findUniqueOrThrow({ where: { id: victim.pending } })).amount.toFixed(2);
      await sendNotification(t.url, actor.gatewayId, 'pay', payFields(victim.pending, CLIENT, amount, { TestMode: actor.env === 'TEST' ? 1 : 0 }), { secret: actor.secret });

      await quiet();
      expect(await stateOf(victim)).toEqual(before);
      expect(cp.requests.length).toBe(gatewayCalls);
    });
  });

  it('one idempotencyKey used by both keys makes a payment, a debit and a refund in each environment', async () => {
    const testTopUp = await initiate(test, 70, { idempotencyKey: 'shared-key' });
    const liveTopUp = await initiate(live, 80, { idempotencyKey: 'shared-key' }); // other input: a CONFLICT were the key shared
    expect(liveTopUp.id).not.toBe(testTopUp.id);
    expect((await initiate(test, 70, { idempotencyKey: 'shared-key' })).id).toBe(testTopUp.id);
    expect((await initiate(live, 80, { idempotencyKey: 'shared-key' })).id).toBe(liveTopUp.id);
    const rows = await t.deps.db.payment.findMany({ where: { organizationId: orgId, idempotencyKey: 'shared-key' }, orderBy: { environment: 'asc' } });
    expect(rows.map((p) => [p.id, p.environment, p.amount.toFixed(2)])).toEqual([[liveTopUp.id, 'LIVE', '80.00'], [testTopUp.id, 'TEST', '70.00']]);

    const before = await balances();
    const testDebit = (await debit(test, 5, { idempotencyKey: 'shared-debit' })).body.data.debitBalance;
    const liveDebit = (await debit(live, 6, { idempotencyKey: 'shared-debit' })).body.data.debitBalance;
    expect(liveDebit.id).not.toBe(testDebit.id);
    expect([testDebit.amount, liveDebit.amount]).toEqual(['-5.00', '-6.00']);
    expect((await debit(test, 5, { idempotencyKey: 'shared-debit' })).body.data.debitBalance).toEqual(testDebit);
    expect((await debit(live, 6, { idempotencyKey: 'shared-debit' })).body.data.debitBalance).toEqual(liveDebit);

    const testRefund = (await refund(test, test.paid, 10, 'shared-refund')).body.data.refundPayment;
    const liveRefund = (await refund(live, live.paid, 10, 'shared-refund')).body.data.refundPayment;
    expect([testRefund.success, liveRefund.success]).toEqual([true, true]);
    expect(liveRefund.refundId).not.toBe(testRefund.refundId);
    expect((await refund(live, live.paid, 10, 'shared-refund')).body.data.refundPayment).toEqual(liveRefund);
    await waitFor(balances, (b) => b.TEST === plus(before.TEST, -15) && b.LIVE === plus(before.LIVE, -16));
    await quiet();
    expect(await balances()).toEqual({ TEST: plus(before.TEST, -15), LIVE: plus(before.LIVE, -16) });
    const refunds = await t.deps.db.refund.findMany({ where: { organizationId: orgId, idempotencyKey: 'shared-refund' }, orderBy: { environment: 'asc' } });
    expect(refunds.map((r) => [r.id, r.environment, r.paymentId])).toEqual([[liveRefund.refundId, 'LIVE', live.paid], [testRefund.refundId, 'TEST', test.paid]]);
  });

  /** A card of the other environment: Check 13, Pay answered 0, noted with `code`, nothing credited or sent. */
  async function wrongCardRefused(id: string, before: Awaited<ReturnType<typeof balances>>, code: string, send: (kind: 'check' | 'pay') => Promise<unknown>) {
    expect(await send('check')).toEqual({ status: 200, body: { code: 13 } });
    expect(await send('pay')).toEqual({ status: 200, body: { code: 0 } });
    await quiet();
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('PENDING');
    expect(await historyCodes(id)).toEqual(['INITIATED', code]);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: id } })).toBe(0);
    expect(await balances()).toEqual(before);
    expect(rx.received.filter((r) => r.json?.data?.id === id)).toEqual([]);
  }

  it('a test card on a LIVE payment: Check 13, Pay answered 0 but noted TEST_CARD_ON_LIVE and never credited', async () => {
    await quiet();
    const before = await balances();
    const { id } = await initiate(live, 40);
    const fields = payFields(id, CLIENT, '40.00', { TestMode: 1 });
    await wrongCardRefused(id, before, 'TEST_CARD_ON_LIVE', (kind) => cp.notify(callbackUrl(live, kind), LIVE_PUBLIC_ID, fields));
  });

  it('reconciling a LIVE payment a test card paid credits nothing either', async () => {
    const before = await balances();
    const { id } = await initiate(live, 55);
    // v2/payments/find answers with the transaction's TestMode, as CloudPayments' does
    const txn = Object.assign(cp.payInvoice(id), { TestMode: true });
    const fields = payFields(id, CLIENT, '55.00', { TransactionId: txn.TransactionId, TestMode: 1 });
    expect(await cp.notify(callbackUrl(live, 'pay'), LIVE_PUBLIC_ID, fields)).toEqual({ status: 200, body: { code: 0 } });
    expect(await historyCodes(id)).toEqual(['INITIATED', 'TEST_CARD_ON_LIVE']);
    await gql(live.token, 'mutation($id: ID!) { reconcilePayment(id: $id) { status } }', { id });
    await quiet();
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: id } })).toBe(0);
    expect(await balances()).toEqual(before);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).not.toBe('CONFIRMED');
  });

  it('a real card on a TEST payment: Check 13, Pay answered 0 but noted LIVE_CARD_ON_TEST and never credited', async () => {
    const before = await balances();
    const { id } = await initiate(test, 45);
    const fields = payFields(id, CLIENT, '45.00', { TestMode: 0 });
    await wrongCardRefused(id, before, 'LIVE_CARD_ON_TEST', (kind) => sendNotification(t.url, test.gatewayId, kind, fields, { secret: test.secret }));
  });

  it('a TEST VIEWER key reads its own environment and every mutation is 403, writing nothing', async () => {
    const { token: viewer } = await makeToken(t.deps, orgId, 'VIEWER', { environment: 'TEST' });
    await quiet();
    const read = await ok(viewer, 'query($own: ID!, $other: ID!, $c: ID!) { own: payment(id: $own) { id environment } other: payment(id: $other) { id } client(id: $c) { balance ledger(first: 100) { edges { node { id } } } } }',
      { own: test.paid, other: live.paid, c: CLIENT });
    expect(read.own).toEqual({ id: test.paid, environment: 'TEST' });
    expect(read.other).toBeNull();
    expect(read.client.balance).toBe(await storedBalance(t, orgId, CLIENT, 'TEST'));
    expect(read.client.ledger.edges).toHaveLength(await t.deps.db.ledgerEntry.count({ where: { organizationId: orgId, environment: 'TEST' } }));

    const client = () => t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: orgId, id: CLIENT } } });
    const before = { test: await stateOf(test), live: await stateOf(live), client: await client(), hooks: await t.deps.db.webhookEndpoint.count() };
    const mutations: Array<[string, Record<string, unknown>]> = [
      ['mutation($c: ID!) { initiateTopUpPayment(input: { clientId: $c, clubId: "club_env", amount: 10 }) { transactionId } }', { c: CLIENT }],
      ['mutation($c: ID!) { debitBalance(input: { clientId: $c, amount: 1, reason: "viewer" }) { id } }', { c: CLIENT }],
      ['mutation($id: ID!) { refundPayment(input: { transactionId: $id, amount: 1 }) { success } }', { id: test.paid }],
      ['mutation($id: ID!) { cancelPayment(id: $id) { id } }', { id: test.pending }],
      ['mutation { createWebhook(input: { url: "http://127.0.0.1:9/viewer", events: ["PAYMENT_RECEIVED"] }) { id } }', {}],
      ['mutation($c: ID!) { upsertClient(input: { id: $c, name: "Renamed by a viewer" }) { id } }', { c: CLIENT }],
    ];
    for (const [query, variables] of mutations) {
      const res = await gql(viewer, query, variables);
      expect([query, res.status, res.body.errors?.[0]?.message, res.body.errors?.[0]?.extensions?.code])
        .toEqual([query, 403, 'Access to this API has been disallowed', 'FORBIDDEN']);
    }
    await quiet();
    expect({ test: await stateOf(test), live: await stateOf(live), client: await client(), hooks: await t.deps.db.webhookEndpoint.count() }).toEqual(before);
  });

  it('gateway changes stay in their environment; a LIVE key pays only through a live gateway', async () => {
    const liveBefore = await stateOf(live);
    const gateways = () => t.deps.db.paymentGateway.count({ where: { organizationId: orgId } });
    // naming the other environment, or a TEST-only gateway type with a LIVE key, is refused
    const asLive = await configure(test, { type: 'CLOUDPAYMENTS', environment: 'LIVE', publicId: LIVE_PUBLIC_ID, apiSecret: 'stolen', clubIds: [CLUB] });
    expect(asLive.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'environment' });
    const asTest = await configure(live, { type: 'CLOUDPAYMENTS', environment: 'TEST', publicId: LIVE_PUBLIC_ID, apiSecret: SECRET, clubIds: [CLUB] });
    expect(asTest.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'environment' });
    const sandbox = await configure(live, { type: 'SANDBOX', publicId: 'pk_sandbox_env', apiSecret: test.secret, clubIds: [CLUB] });
    expect(sandbox.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'environment' });
    expect(await gateways()).toBe(2);

    // the LIVE gateway's type and publicId with the TEST key: a TEST gateway of its own, taking the club in TEST only
    const twin = (await configure(test, { type: 'CLOUDPAYMENTS', publicId: LIVE_PUBLIC_ID, apiSecret: SECRET, clubIds: [CLUB] })).body.data.configurePaymentGateway;
    expect(twin).toMatchObject({ environment: 'TEST', type: 'CLOUDPAYMENTS', publicId: LIVE_PUBLIC_ID, clubIds: [CLUB], isActive: true });
    expect(twin.id).not.toBe(live.gatewayId);
    const off = await configure(test, { type: 'CLOUDPAYMENTS', publicId: LIVE_PUBLIC_ID, apiSecret: SECRET, isActive: false });
    expect(off.body.data.configurePaymentGateway).toMatchObject({ id: twin.id, isActive: false });
    expect(await gateways()).toBe(3);
    const routing = await t.deps.db.paymentGatewayClub.findMany({ where: { organizationId: orgId, clubId: CLUB }, orderBy: { environment: 'asc' } });
    expect(routing.map((r) => [r.environment, r.gatewayId])).toEqual([['LIVE', live.gatewayId], ['TEST', twin.id]]);
    expect(await stateOf(live)).toEqual(liveBefore);
    expect((await ok(live.token, '{ paymentGateways { id environment clubIds isActive } }')).paymentGateways)
      .toEqual([{ id: live.gatewayId, environment: 'LIVE', clubIds: [CLUB], isActive: true }]);
    expect((await ok(test.token, '{ paymentGateways { id environment } }')).paymentGateways)
      .toEqual([{ id: test.gatewayId, environment: 'TEST' }, { id: twin.id, environment: 'TEST' }]);

    const { id } = await initiate(live, 20);
    expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).toMatchObject({ environment: 'LIVE', gatewayId: live.gatewayId });
    expect(cp.requests.filter((q) => q.path === 'orders/create' && q.body.InvoiceId === id)).toHaveLength(1);

    // no live gateway serves the other club (the LIVE gateway serves CLUB only, so it is no default)
    const none = await gql(live.token, 'mutation($c: ID!, $k: ID!) { initiateTopUpPayment(input: { clientId: $c, clubId: $k, amount: 10 }) { transactionId } }', { c: CLIENT, k: OTHER_CLUB });
    expect(none.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/no live gateway serves club club_no_live/) });
    expect(await t.deps.db.payment.count({ where: { organizationId: orgId, clubId: OTHER_CLUB } })).toBe(0);
  });
});

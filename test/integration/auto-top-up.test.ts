// Auto top-up against the sandbox: set/get/disable, a debit below the threshold charges the saved
// card once as the merchant (credited once), concurrent debits start one charge, a decline pauses
// the rule and sends AUTO_TOP_UP_FAILED, a card of another client is refused with nothing written.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const SET = 'mutation($i: SetAutoTopUpInput!) { setAutoTopUp(input: $i) { clientId paymentMethodId threshold amount currency dailyLimit enabled pausedReason chargesToday } }';
const GET = 'query($c: ID!) { autoTopUp(clientId: $c) { enabled threshold amount dailyLimit pausedReason lastPaymentId chargesToday } }';
const DEBIT = 'mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id } }';

describe('auto top-up (sandbox)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('auto_top_up', {}, { workers: true });
  });
  afterAll(() => t.close());

  async function shopWithCard(clientId: string, card: string = CARDS.tokenApproved, amount = 100) {
    const s = await makeShop(t, { clientId });
    const { paymentUrl, transactionId } = await topUp(t, s, { saveCard: true, amount });
    expect((await payWithCard(paymentUrl, card)).status).toBe(303);
    await waitFor(() => t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } }), (p) => p.status === 'CONFIRMED');
    await waitFor(() => balanceOf(t, s), (b) => Number(b) === amount); // credited through the outbox
    const method = await t.deps.db.savedPaymentMethod.findFirstOrThrow({ where: { organizationId: s.orgId, clientId } });
    return { s, method };
  }
  const set = (s: Shop, input: Record<string, unknown>) => t.gql(SET, { i: { clientId: s.clientId, ...input } }, s.token);
  const debit = async (s: Shop, amount: string) => {
    const res = await t.gql(DEBIT, { i: { clientId: s.clientId, amount, reason: 'spend' } }, s.token);
    expect(res.body.errors).toBeUndefined();
    return res;
  };
  const autoPayments = (s: Shop) => t.deps.db.payment.findMany({ where: { organizationId: s.orgId, clientId: s.clientId, idempotencyKey: { startsWith: 'auto-top-up:' } } });

  it('sets, reads and switches off a rule', async () => {
    const { s, method } = await shopWithCard('set_get');
    const res = await set(s, { paymentMethodId: method.id, threshold: '20', amount: '50' });
    expect(res.body.data.setAutoTopUp).toEqual({ clientId: s.clientId, paymentMethodId: method.id, threshold: '20.00', amount: '50.00', currency: 'RUB', dailyLimit: 3, enabled: true, pausedReason: null, chargesToday: 0 });
    expect((await set(s, { paymentMethodId: method.id, threshold: '20', amount: '50', dailyLimit: 0 })).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await set(s, { paymentMethodId: method.id, threshold: '-1', amount: '50' })).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await set(s, { paymentMethodId: method.id, threshold: '20', amount: '50', enabled: false })).body.data.setAutoTopUp.enabled).toBe(false);
    expect((await t.gql(GET, { c: s.clientId }, s.token)).body.data.autoTopUp.enabled).toBe(false);
    // Switched off, a debit below the threshold charges nothing.
    await debit(s, '90');
    await waitFor(() => t.deps.db.outbox.count({ where: { kind: 'auto-top-up', status: 'PENDING' } }), (n) => n === 0);
    expect(await autoPayments(s)).toHaveLength(0);
  });

  it('a debit below the threshold charges the card once as the merchant; the balance is credited once', async () => {
    const { s, method } = await shopWithCard('below');
    await set(s, { paymentMethodId: method.id, threshold: '30', amount: '70' });
    await debit(s, '50'); // 50 left: above
    await debit(s, '25'); // 25 left: below
    const [p] = await waitFor(() => autoPayments(s), (ps) => ps.length === 1 && ps[0].status === 'CONFIRMED');
    expect(p.amount.toString()).toBe('70');
    await waitFor(() => balanceOf(t, s), (b) => b === '95.00' || b === '95');
    const events = await t.deps.db.paymentEvent.findMany({ where: { paymentId: p.id } });
    expect(events.some((e) => e.actor === 'system:auto-top-up')).toBe(true);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: p.id } })).toBe(1);
  });

  it('ten concurrent debits crossing the threshold start one charge', async () => {
    const { s, method } = await shopWithCard('race', CARDS.tokenApproved, 100);
    await set(s, { paymentMethodId: method.id, threshold: '60', amount: '10', dailyLimit: 10 });
    await Promise.all(Array.from({ length: 10 }, () => debit(s, '5')));
    await waitFor(() => autoPayments(s), (ps) => ps.length >= 1 && ps.every((p) => p.status === 'CONFIRMED'));
    expect(await autoPayments(s)).toHaveLength(1);
  });

  it('a decline pauses the rule and sends no more charges until it is set again', async () => {
    const { s, method } = await shopWithCard('declines', CARDS.tokenDeclines);
    await set(s, { paymentMethodId: method.id, threshold: '30', amount: '70' });
    await debit(s, '80');
    await waitFor(() => t.gql(GET, { c: s.clientId }, s.token), (r) => r.body.data.autoTopUp.pausedReason !== null);
    await waitFor(() => t.deps.db.outbox.findMany({ where: { kind: 'webhook.event', organizationId: s.orgId } }), (rows) => rows.some((r) => JSON.stringify(r.payload).includes('AUTO_TOP_UP_FAILED')));
    await debit(s, '5');
    await waitFor(() => t.deps.db.outbox.count({ where: { kind: 'auto-top-up', status: 'PENDING', availableAt: { lte: new Date() } } }), (n) => n === 0);
    expect(await autoPayments(s)).toHaveLength(1);
    expect((await set(s, { paymentMethodId: method.id, threshold: '30', amount: '70' })).body.data.setAutoTopUp.pausedReason).toBeNull();
  });

  it('refuses a card of another client with a typed error, writing nothing', async () => {
    const { method } = await shopWithCard('owner_of_card');
    const other = await makeShop(t, { clientId: 'not_owner' });
    const res = await set(other, { paymentMethodId: method.id, threshold: '1', amount: '10' });
    expect(res.body.errors?.[0].extensions?.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    expect(await t.deps.db.autoTopUp.count({ where: { organizationId: other.orgId } })).toBe(0);
  });

  it('charges at most dailyLimit times a UTC day, however many debits cross the threshold', async () => {
    const { s, method } = await shopWithCard('daily', CARDS.tokenApproved, 100);
    await set(s, { paymentMethodId: method.id, threshold: '1000', amount: '10', dailyLimit: 2 });
    for (let i = 1; i <= 4; i++) {
      await debit(s, '1');
      // Each charge settles before the next debit, so only the daily count can hold the third back.
      await waitFor(() => autoPayments(s), (ps) => ps.every((p) => p.status === 'CONFIRMED'));
      await waitFor(() => t.deps.db.autoTopUp.findUniqueOrThrow({ where: { organizationId_environment_clientId: { organizationId: s.orgId, environment: 'TEST', clientId: s.clientId } } }), (r) => r.inFlightTrigger === null);
    }
    expect(await autoPayments(s)).toHaveLength(2);
    expect((await t.gql(GET, { c: s.clientId }, s.token)).body.data.autoTopUp).toMatchObject({ chargesToday: 2, pausedReason: null });
  });

  it('Paygate\'s own key prefix is refused on every caller key: a top-up cannot pass for a debit\'s auto top-up', async () => {
    const { s, method } = await shopWithCard('squat');
    await set(s, { paymentMethodId: method.id, threshold: '30', amount: '70' });
    const led = (await debit(s, '1')).body.data.debitBalance.id;
    const before = await t.deps.db.payment.count({ where: { organizationId: s.orgId } });
    const attempts = [
      t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId } }', { i: { clientId: s.clientId, clubId: s.clubId, amount: '10', idempotencyKey: `auto-top-up:${led}` } }, s.token),
      t.gql('mutation($i: ChargeSavedCardInput!) { chargeSavedCard(input: $i) { id } }', { i: { clientId: s.clientId, paymentMethodId: method.id, amount: '10', idempotencyKey: 'auto-top-up:led_x' } }, s.token),
      t.gql(DEBIT, { i: { clientId: s.clientId, amount: '1', reason: 'x', idempotencyKey: 'auto-top-up:led_y' } }, s.token),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('may not start with "auto-top-up:"') });
    }
    expect(await t.deps.db.payment.count({ where: { organizationId: s.orgId } })).toBe(before);
  });

  it('a rule lives in its environment: the LIVE key neither sees nor sets it with a TEST card; a VIEWER cannot set one', async () => {
    const { s, method } = await shopWithCard('envs');
    await set(s, { paymentMethodId: method.id, threshold: '30', amount: '70' });
    expect((await t.gql(GET, { c: s.clientId }, s.liveToken)).body.data.autoTopUp).toBeNull();
    const live = await t.gql(SET, { i: { clientId: s.clientId, paymentMethodId: method.id, threshold: '30', amount: '70' } }, s.liveToken);
    expect(live.body.errors?.[0].extensions?.code).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    const viewer = await makeToken(t.deps, s.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await t.gql(SET, { i: { clientId: s.clientId, paymentMethodId: method.id, threshold: '1', amount: '5' } }, viewer.token)).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.deps.db.autoTopUp.findMany({ where: { organizationId: s.orgId }, select: { environment: true, threshold: true } })).toEqual([{ environment: 'TEST', threshold: expect.anything() }]);
    expect((await t.gql(GET, { c: s.clientId }, viewer.token)).body.data.autoTopUp.threshold).toBe('30.00');
  });
});

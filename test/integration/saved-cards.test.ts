// Saved cards and one-click charges: a card saved at the sandbox checkout with the payer's consent
// (sealed, never shown), savedPaymentMethods / deleteSavedPaymentMethod, and chargeSavedCard
// through payments/tokens/charge, credited once whether its answer or its Pay notification comes
// first; against the sandbox and, for the CLOUDPAYMENTS adapter, the simulator.
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { balanceOf, makeShop, outboxDrained, topUp, type Shop, plus } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { cardTokenAad, sealedCardOf } from '../../src/services/cards/seal-card';
import { runBook } from '../../src/services/book/run';

const METHODS = 'query($c: ID!) { savedPaymentMethods(clientId: $c) { id cardMask brand expiresAt createdAt } }';
const CHARGE = 'mutation($i: ChargeSavedCardInput!) { chargeSavedCard(input: $i) { id status amount clientId failureReason failureCode gatewayTransactionId } }';
const DELETE = 'mutation($id: ID!) { deleteSavedPaymentMethod(id: $id) }';
/** Rows as text (ids of history and outbox rows are BigInts). */
const asText = (rows: unknown) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

describe('saved cards (sandbox)', () => {
  let t: TestApp;
  let shop: Shop;
  /** Every GraphQL answer of this file, as text: the token must be in none. */
  const answers: string[] = [];
  const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await t.gql(query, variables, token);
    answers.push(JSON.stringify(res.body));
    return res;
  };

  beforeAll(async () => {
    t = await startTestApp('saved_cards', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const methods = async (token = shop.token, clientId = shop.clientId) => (await gql(METHODS, { c: clientId }, token)).body;
  const status = (id: string) => t.deps.db.payment.findUniqueOrThrow({ where: { id } });
  const charge = (input: Record<string, unknown>, token = shop.token) => gql(CHARGE, { i: { clientId: shop.clientId, amount: '250', ...input } }, token);

  /** Pays a consenting top-up at the checkout; the saved method it made. */
  async function saveCard(card: string = CARDS.tokenApproved, s: Shop = shop) {
    const before = await t.deps.db.savedPaymentMethod.count({ where: { organizationId: s.orgId, clientId: s.clientId } });
    const { paymentUrl, transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
    expect((await payWithCard(paymentUrl, card)).status).toBe(303);
    await waitFor(() => status(transactionId), (p) => p.status === 'CONFIRMED');
    const rows = await t.deps.db.savedPaymentMethod.findMany({ where: { organizationId: s.orgId, clientId: s.clientId }, orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(before + 1);
    return { method: rows.at(-1)!, paymentId: transactionId };
  }
  const tokenOf = (m: { id: string; gatewayId: string; clientId: string; tokenEncrypted: string }) => t.deps.secrets.open(m.tokenEncrypted, cardTokenAad(m));
  const ledgerCount = (paymentId: string) => t.deps.db.ledgerEntry.count({ where: { paymentId } });

  it('saves the card of a consenting payer, sealed: mask, brand and expiry shown, the token nowhere', async () => {
    const { method, paymentId } = await saveCard();
    const token = tokenOf(method);
    expect(token).toMatch(/^tk_[0-9a-f]{30}$/);
    expect(method.tokenEncrypted).toMatch(/^v1\./);
    expect(method.tokenEncrypted).not.toContain(token);
    expect([method.environment, method.gatewayId, method.sourcePaymentId, method.clubId]).toEqual(['TEST', shop.gatewayId, paymentId, shop.clubId]);
    const listed = (await methods()).data.savedPaymentMethods;
    expect(listed).toEqual([{ id: method.id, cardMask: '400000******3055', brand: 'Visa', expiresAt: '2030-12-31T23:59:59.999Z', createdAt: method.createdAt.toISOString() }]);
    // The Pay carried it; nothing stored of the callback, the history or the outbox holds it, nor the log.
    const callbacks = await t.deps.db.gatewayCallback.findMany({ where: { paymentId } });
    expect(callbacks.map((c) => c.kind)).toContain('pay');
    expect(asText(callbacks)).not.toContain(token);
    expect(asText(await t.deps.db.paymentEvent.findMany({ where: { paymentId } }))).not.toContain(token);
    expect(asText(await t.deps.db.outbox.findMany())).not.toContain(token);
    expect(t.logs()).not.toContain(token);
    expect(t.logs()).not.toContain(method.tokenEncrypted);
  });

  it('without consent nothing is saved, even when the gateway sends a token', async () => {
    const before = await t.deps.db.savedPaymentMethod.count();
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 100 });
    await payWithCard(paymentUrl, CARDS.tokenApproved);
    await waitFor(() => status(transactionId), (p) => p.status === 'CONFIRMED');
    // A token for a payment without consent (the site saves every card) is dropped.
    const other = await topUp(t, shop, { amount: 100 });
    const res = await sendNotification(t.url, shop.gatewayId, 'pay', payFields(other.transactionId, shop.clientId, '100.00', { Token: 'tk_without_consent_0001' }), { secret: shop.apiSecret });
    expect(res.body).toEqual({ code: 0 });
    expect((await status(other.transactionId)).status).toBe('CONFIRMED');
    expect(await t.deps.db.savedPaymentMethod.count()).toBe(before);
    expect(t.logs()).not.toContain('tk_without_consent_0001');
  });

  it('the same token saved twice is one method; a deleted one comes back when saved again', async () => {
    const s = await makeShop(t, { clientId: 'twice' });
    const pay = async () => {
      const { transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
      const res = await sendNotification(t.url, s.gatewayId, 'pay', payFields(transactionId, s.clientId, '100.00', { Token: 'tk_same_card_0000001', CardFirstSix: '', CardLastFour: '4444' }), { secret: s.apiSecret });
      expect(res.body).toEqual({ code: 0 });
    };
    await pay();
    await pay();
    const listed = (await methods(s.token, s.clientId)).data.savedPaymentMethods;
    expect(listed).toHaveLength(1);
    expect(listed[0].cardMask).toBe('•••• 4444');
    expect((await gql(DELETE, { id: listed[0].id }, s.token)).body.data.deleteSavedPaymentMethod).toBe(true);
    expect((await methods(s.token, s.clientId)).data.savedPaymentMethods).toEqual([]);
    await pay();
    expect((await methods(s.token, s.clientId)).data.savedPaymentMethods.map((m: { id: string }) => m.id)).toEqual([listed[0].id]);
  });

  it('the locking path (persist.ts) keeps a card as the one-statement path does: once per token', async () => {
    const s = await makeShop(t, { clientId: 'locking' });
    const pay = async () => {
      const { transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
      const event = { kind: 'confirmed' as const, amount: '100.00', currency: 'RUB', transactionId: `T-${transactionId}`, invoiceId: transactionId, card: { lastFour: '7777', type: 'MIR' } };
      const card = sealedCardOf(t.deps.secrets, s.gatewayId, { saveCard: true, clientId: 'locking' }, { ...event, token: { token: 'tk_locking_path_0001', expiry: '01/29' } });
      const ran = await runBook(t.deps, transactionId, { kind: 'gateway-event', event, source: 'callback', now: new Date(), card }, { who: { actor: 'test' } });
      expect(ran!.decision.effects.map((e) => e.kind)).toEqual(['credit', 'save-card']);
    };
    await pay();
    await pay();
    const rows = await t.deps.db.savedPaymentMethod.findMany({ where: { organizationId: s.orgId, clientId: 'locking' } });
    expect(rows.map((r) => [r.cardLastFour, r.brand, r.expiresAt.toISOString(), r.environment, tokenOf(r)])).toEqual([['7777', 'MIR', '2029-01-31T23:59:59.999Z', 'TEST', 'tk_locking_path_0001']]);
  });

  it('charges a saved card once (TrInitiatorCode 1): the answer and the Pay notification that follows credit one time', async () => {
    const { method } = await saveCard();
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const res = await charge({ paymentMethodId: method.id, amount: '250.00' });
    const p = res.body.data.chargeSavedCard;
    expect([p.status, p.amount, p.clientId]).toEqual(['CONFIRMED', '250.00', shop.clientId]);
    // The sandbox's Pay notification for the charge comes after its answer; send it once more too.
    const pay = await waitFor(() => t.deps.db.gatewayCallback.findFirst({ where: { paymentId: p.id, kind: 'pay' } }), (c) => c !== null);
    expect(pay!.verdict).toBe('VALID');
    await sendNotification(t.url, shop.gatewayId, 'pay', payFields(p.id, shop.clientId, '250.00', { TransactionId: p.gatewayTransactionId }), { secret: shop.apiSecret });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 250));
    await outboxDrained(t);
    expect(await ledgerCount(p.id)).toBe(1);
    expect(await balanceOf(t, shop)).toBe(plus(before, 250));
    const stored = await status(p.id);
    expect([stored.paymentMethodId, stored.gatewayId, stored.saveCard]).toEqual([method.id, shop.gatewayId, false]);
    // The charge's own Pay carried the token again: still one saved card, and it is nowhere else.
    expect(await t.deps.db.savedPaymentMethod.count({ where: { fingerprint: method.fingerprint } })).toBe(1);
    expect(asText(await t.deps.db.gatewayCallback.findMany({ where: { paymentId: p.id } }))).not.toContain(tokenOf(method));
  });

  it('the 4000 0000 0000 0002 card pays and saves, and its token charge is declined: FAILED with the reason, nothing credited', async () => {
    const { method } = await saveCard(CARDS.tokenDeclines);
    const res = await charge({ paymentMethodId: method.id, amount: '99.99' });
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data.chargeSavedCard;
    expect([p.status, p.failureCode, p.failureReason]).toEqual(['FAILED', '5051', 'InsufficientFunds']);
    await waitFor(() => t.deps.db.gatewayCallback.findFirst({ where: { paymentId: p.id, kind: 'fail' } }), (c) => c !== null);
    await outboxDrained(t);
    expect((await status(p.id)).status).toBe('FAILED');
    expect(await ledgerCount(p.id)).toBe(0);
  });

  it('replays a charge per idempotencyKey; the same key for another charge is a CONFLICT', async () => {
    const { method } = await saveCard();
    const first = (await charge({ paymentMethodId: method.id, amount: '10', idempotencyKey: 'one-click-1' })).body.data.chargeSavedCard;
    const again = (await charge({ paymentMethodId: method.id, amount: '10.00', idempotencyKey: 'one-click-1' })).body.data.chargeSavedCard;
    expect(again.id).toBe(first.id);
    const other = await charge({ paymentMethodId: method.id, amount: '11', idempotencyKey: 'one-click-1' });
    expect(other.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    await outboxDrained(t);
    expect(await ledgerCount(first.id)).toBe(1);
    expect(await t.deps.db.payment.count({ where: { idempotencyKey: 'one-click-1' } })).toBe(1);
    // Three at once with one key: one payment, one charge at the gateway, one credit.
    const racing = await Promise.all([1, 2, 3].map(() => charge({ paymentMethodId: method.id, amount: '12', idempotencyKey: 'one-click-race' })));
    const ids = new Set(racing.map((r) => r.body.data.chargeSavedCard.id));
    expect(ids.size).toBe(1);
    const [raced] = [...ids] as string[];
    await waitFor(() => status(raced), (p) => p.status === 'CONFIRMED');
    await waitFor(() => t.deps.db.gatewayCallback.count({ where: { paymentId: raced, kind: 'pay' } }), (n) => n >= 1);
    await outboxDrained(t);
    expect(await ledgerCount(raced)).toBe(1);
    expect(await t.deps.db.gatewayCallback.count({ where: { paymentId: raced, kind: 'pay' } })).toBe(1);
  });

  it('refuses what is not a chargeable card of this client, org and environment, writing nothing', async () => {
    const { method } = await saveCard();
    const paymentsBefore = await t.deps.db.payment.count();
    const code = (res: { body: { errors?: Array<{ extensions?: { code?: string } }> } }) => res.body.errors?.[0].extensions?.code;
    // another organization's key
    const b = await makeOrg(t.deps, 'Other chain');
    expect(code(await gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: method.id, amount: '5' } }, b.testToken))).toBe('NOT_FOUND');
    expect(code(await gql(DELETE, { id: method.id }, b.testToken))).toBe('NOT_FOUND');
    expect((await methods(b.testToken)).data.savedPaymentMethods).toEqual([]);
    // the same organization's LIVE key: a TEST card is not there
    expect(code(await charge({ paymentMethodId: method.id }, shop.liveToken))).toBe('NOT_FOUND');
    expect(code(await gql(DELETE, { id: method.id }, shop.liveToken))).toBe('NOT_FOUND');
    expect((await methods(shop.liveToken)).data.savedPaymentMethods).toEqual([]);
    // a VIEWER reads, and may neither charge nor delete
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await methods(viewer.token)).data.savedPaymentMethods.map((m: { id: string }) => m.id)).toContain(method.id);
    expect(code(await charge({ paymentMethodId: method.id }, viewer.token))).toBe('FORBIDDEN');
    expect(code(await gql(DELETE, { id: method.id }, viewer.token))).toBe('FORBIDDEN');
    // another client's card, bad amounts, an unknown card
    await t.gql('mutation { upsertClient(input: { id: "someone_else", clubId: "club_abc123" }) { id } }', {}, shop.token);
    expect(code(await charge({ clientId: 'someone_else', paymentMethodId: method.id }))).toBe('BAD_USER_INPUT');
    for (const amount of ['0', '-1', '1.001', '1e3']) expect(code(await charge({ paymentMethodId: method.id, amount }))).toBe('BAD_USER_INPUT');
    expect(code(await charge({ paymentMethodId: 'pm_unknown' }))).toBe('NOT_FOUND');
    // its gateway switched off
    await t.deps.db.paymentGateway.update({ where: { id: shop.gatewayId }, data: { isActive: false } });
    expect(code(await charge({ paymentMethodId: method.id }))).toBe('BAD_USER_INPUT');
    await t.deps.db.paymentGateway.update({ where: { id: shop.gatewayId }, data: { isActive: true } });
    // expired, then deleted
    await t.deps.db.savedPaymentMethod.update({ where: { id: method.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(code(await charge({ paymentMethodId: method.id }))).toBe('BAD_USER_INPUT');
    await t.deps.db.savedPaymentMethod.update({ where: { id: method.id }, data: { expiresAt: new Date('2030-12-31T23:59:59.999Z') } });
    expect((await gql(DELETE, { id: method.id }, shop.token)).body.data.deleteSavedPaymentMethod).toBe(true);
    expect((await status(method.sourcePaymentId)).status).toBe('CONFIRMED');
    const deleted = await charge({ paymentMethodId: method.id });
    expect([code(deleted), deleted.body.errors?.[0].message]).toEqual(['BAD_USER_INPUT', `saved payment method ${method.id} was deleted`]);
    expect((await methods()).data.savedPaymentMethods.map((m: { id: string }) => m.id)).not.toContain(method.id);
    expect(await t.deps.db.payment.count()).toBe(paymentsBefore);
  });

  it('a Pay naming another account confirms the payment and saves no card, and says so', async () => {
    const s = await makeShop(t, { clientId: 'named' });
    const { transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
    const res = await sendNotification(t.url, s.gatewayId, 'pay', payFields(transactionId, 'someone_else', '100.00', { Token: 'tk_other_account_0001' }), { secret: s.apiSecret });
    expect(res.body).toEqual({ code: 0 });
    expect((await status(transactionId)).status).toBe('CONFIRMED');
    expect(await t.deps.db.savedPaymentMethod.count({ where: { organizationId: s.orgId } })).toBe(0);
    const paid = await t.deps.db.paymentEvent.findFirstOrThrow({ where: { paymentId: transactionId, code: 'PAID' } });
    expect(paid.reason).toContain('card not saved: the gateway names another account');
    expect(paid.data).not.toHaveProperty('cardSaved');
  });

  it('reconciliation confirmed the payment before its Pay came with the token: the card is still saved, once, and a repeat keeps a deleted one deleted', async () => {
    const s = await makeShop(t, { clientId: 'late' });
    const reconciled = async (txn: string) => {
      const { transactionId } = await topUp(t, s, { saveCard: true, amount: 100 });
      await runBook(t.deps, transactionId, { kind: 'gateway-state', state: { status: 'confirmed', transactionId: txn, amount: '100.00', currency: 'RUB', testMode: true }, source: 'reconciliation', now: new Date() }, { who: { actor: 'system:reconcile' } });
      expect((await status(transactionId)).status).toBe('CONFIRMED');
      return transactionId;
    };
    const paymentId = await reconciled('987654321');
    const late = () => sendNotification(t.url, s.gatewayId, 'pay', payFields(paymentId, s.clientId, '100.00', { TransactionId: '987654321', Token: 'tk_after_reconcile_01' }), { secret: s.apiSecret });
    expect((await late()).body).toEqual({ code: 0 });
    const [row, ...more] = await t.deps.db.savedPaymentMethod.findMany({ where: { organizationId: s.orgId } });
    expect(more).toEqual([]);
    expect([tokenOf(row), row.sourcePaymentId, row.deletedAt]).toEqual(['tk_after_reconcile_01', paymentId, null]);
    await outboxDrained(t);
    expect(await ledgerCount(paymentId)).toBe(1);
    // Staff delete it; the gateway sends the same Pay again: it stays deleted, nothing is credited again.
    expect((await gql(DELETE, { id: row.id }, s.token)).body.data.deleteSavedPaymentMethod).toBe(true);
    expect((await late()).body).toEqual({ code: 0 });
    expect((await t.deps.db.savedPaymentMethod.findUniqueOrThrow({ where: { id: row.id } })).deletedAt).not.toBeNull();
    await outboxDrained(t);
    expect(await ledgerCount(paymentId)).toBe(1);
    // The locking path (persist.ts) does the same.
    const other = await reconciled('987654322');
    const event = { kind: 'confirmed' as const, amount: '100.00', currency: 'RUB', transactionId: '987654322', invoiceId: other, accountId: s.clientId, card: { lastFour: '5555' } };
    const card = sealedCardOf(t.deps.secrets, s.gatewayId, { saveCard: true, clientId: s.clientId }, { ...event, token: { token: 'tk_after_reconcile_02', expiry: '02/30' } });
    const ran = await runBook(t.deps, other, { kind: 'gateway-event', event, source: 'callback', now: new Date(), card }, { who: { actor: 'test' } });
    expect([ran!.decision.change, ran!.decision.history, ran!.decision.effects.map((e) => e.kind)]).toEqual([null, [], ['save-card']]);
    expect((await t.deps.db.savedPaymentMethod.findMany({ where: { sourcePaymentId: other } })).map(tokenOf)).toEqual(['tk_after_reconcile_02']);
  });

  it('charges only where the card\'s gateway still serves the client\'s current club, and books the payment for that club', async () => {
    const s = await makeShop(t, { clientId: 'mover' });
    await t.gql('mutation { a: upsertClub(input: { id: "club_2", name: "Club 2" }) { id } b: upsertClub(input: { id: "club_3", name: "Club 3" }) { id } }', {}, s.token);
    const configure = async (publicId: string, apiSecret: string, clubIds: string[]) => {
      const res = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', { i: { organizationId: s.orgId, type: 'SANDBOX', publicId, apiSecret, clubIds } }, s.token);
      expect(res.body.errors).toBeUndefined();
      return res.body.data.configurePaymentGateway.id as string;
    };
    expect(await configure(`pk_${s.orgId}`, s.apiSecret, [s.clubId])).toBe(s.gatewayId);
    const { method } = await saveCard(CARDS.tokenApproved, s);
    await configure(`pk2_${s.orgId}`, 'second-secret-xyz-123', ['club_2']);
    const moveTo = async (clubId: string) => expect((await t.gql('mutation($c: ClientInput!) { upsertClient(input: $c) { id } }', { c: { id: s.clientId, clubId } }, s.token)).body.errors).toBeUndefined();
    const chargeIt = () => gql(CHARGE, { i: { clientId: s.clientId, paymentMethodId: method.id, amount: '20' } }, s.token);
    const refused = async (clubId: string) => {
      const before = await t.deps.db.payment.count({ where: { organizationId: s.orgId } });
      const res = await chargeIt();
      expect([res.body.errors?.[0].extensions?.code, res.body.errors?.[0].message]).toEqual(['BAD_USER_INPUT',
        `the card was saved on gateway ${s.gatewayId}, which no longer serves the client's club ${clubId}; the client must save the card again`]);
      expect(await t.deps.db.payment.count({ where: { organizationId: s.orgId } })).toBe(before);
    };
    // The client moved to a club another gateway serves.
    await moveTo('club_2');
    await refused('club_2');
    // The client's club moved to another gateway (the card's keeps club_3).
    await configure(`pk_${s.orgId}`, s.apiSecret, ['club_3']);
    await configure(`pk2_${s.orgId}`, 'second-secret-xyz-123', ['club_2', s.clubId]);
    await moveTo(s.clubId);
    await refused(s.clubId);
    // A club the card's gateway serves: charged there, booked for the client's club of now.
    await moveTo('club_3');
    const res = await chargeIt();
    expect(res.body.errors).toBeUndefined();
    const p = await status(res.body.data.chargeSavedCard.id);
    expect([p.status, p.gatewayId, p.clubId]).toEqual(['CONFIRMED', s.gatewayId, 'club_3']);
  });

  it('never shows a token in any GraphQL answer', async () => {
    const tokens = (await t.deps.db.savedPaymentMethod.findMany()).map(tokenOf);
    expect(tokens.length).toBeGreaterThan(3);
    for (const token of tokens) expect(answers.join('\n')).not.toContain(token);
    for (const token of tokens) expect(t.logs()).not.toContain(token);
  });
});

describe('saved cards (CLOUDPAYMENTS adapter against the simulator)', () => {
  const SECRET = 'cp_cards_secret_7';
  const cp = new CloudPaymentsSimulator({ pk_cards: SECRET });
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    await cp.start();
    t = await startTestApp('saved_cards_cp', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
    const base = await makeShop(t);
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: base.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_cards', apiSecret: SECRET, clubIds: [base.clubId] } }, base.liveToken);
    shop = { ...base, token: base.liveToken, gatewayId: gw.body.data.configurePaymentGateway.id, apiSecret: SECRET };
  });
  afterAll(async () => {
    await t.close();
    await cp.stop();
  });

  const notifyUrl = (kind: string) => `${t.url}/payments/cloudpayments/${shop.gatewayId}/${kind}`;
  const live = (fields: Record<string, string | number | undefined>) => ({ ...fields, TestMode: 0, GatewayName: 'Tinkoff' });

  async function saveCard(token: string) {
    const res = await t.gql('mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId widget { tokenize } } }',
      { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '100', saveCard: true } }, shop.token);
    const { transactionId, widget } = res.body.data.initiateTopUpPayment;
    expect(widget.tokenize).toBe(true);
    expect(cp.requests.find((q) => q.path === 'orders/create' && q.body.InvoiceId === transactionId)!.body.JsonData).toEqual({ paygatePaymentId: transactionId, saveCard: true });
    const txn = cp.payInvoice(transactionId);
    await cp.notify(notifyUrl('pay'), 'pk_cards', live(payFields(transactionId, shop.clientId, '100.00', { TransactionId: txn.TransactionId, CardFirstSix: '424242', CardLastFour: '4242', CardExpDate: '11/31', Token: token })));
    cp.tokens.set(token, { accountId: shop.clientId, approve: true });
    const listed = (await t.gql(METHODS, { c: shop.clientId }, shop.token)).body.data.savedPaymentMethods;
    expect(listed.at(-1)).toMatchObject({ cardMask: '424242******4242', brand: 'Visa', expiresAt: '2031-11-30T23:59:59.999Z' });
    return listed.at(-1).id as string;
  }

  it('charges through payments/tokens/charge; a Pay notification arriving before the answer credits once', async () => {
    const id = await saveCard('477BBA133C182267FE5F086924ABDC5DB71F77BFC27F01F2843F2CDC69D89F05');
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    cp.beforeChargeAnswer = async (answer) => {
      const m = answer.Model;
      await cp.notify(notifyUrl('pay'), 'pk_cards', live(payFields(m.InvoiceId, m.AccountId, '300.00', { TransactionId: m.TransactionId })));
    };
    const res = await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '300' } }, shop.token);
    cp.beforeChargeAnswer = undefined;
    const p = res.body.data.chargeSavedCard;
    expect(p.status).toBe('CONFIRMED');
    const call = cp.requests.find((q) => q.path === 'payments/tokens/charge' && q.body.InvoiceId === p.id)!;
    expect(call).toMatchObject({
      requestId: `charge-${p.id}`,
      body: { Amount: 300, Currency: 'RUB', AccountId: shop.clientId, InvoiceId: p.id, TrInitiatorCode: 1, Token: '477BBA133C182267FE5F086924ABDC5DB71F77BFC27F01F2843F2CDC69D89F05' },
    });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 300));
    await outboxDrained(t);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: p.id } })).toBe(1);
    const history = await t.deps.db.paymentEvent.findMany({ where: { paymentId: p.id } });
    expect(history.map((h) => h.code)).toEqual(['INITIATED', 'PAID']);
    expect(t.logs()).not.toContain('477BBA133C182267FE5F086924ABDC5DB71F77BFC27F01F2843F2CDC69D89F05');
  });

  it('a decline answers the FAILED payment; no answer at all is GATEWAY_ERROR with the payment left PENDING', async () => {
    const id = await saveCard('tk_cp_declines_000000001');
    cp.tokens.set('tk_cp_declines_000000001', { accountId: shop.clientId, approve: false });
    const declined = (await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '40' } }, shop.token)).body.data.chargeSavedCard;
    expect([declined.status, declined.failureCode, declined.failureReason]).toEqual(['FAILED', '5051', 'InsufficientFunds']);
    cp.tokens.set('tk_cp_declines_000000001', { accountId: shop.clientId, approve: true });
    cp.dropAnswers('payments/tokens/charge', 10);
    const res = await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '41', idempotencyKey: 'cp-timeout' } }, shop.token);
    cp.dropAnswers('payments/tokens/charge', 0);
    expect(res.body.errors?.[0].extensions?.code).toBe('GATEWAY_ERROR');
    const pending = await t.deps.db.payment.findFirstOrThrow({ where: { idempotencyKey: 'cp-timeout' } });
    expect(pending.status).toBe('PENDING');
    // The charge did go through at the gateway: the replay asks it (a read) and the payment is settled.
    const replay = (await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '41', idempotencyKey: 'cp-timeout' } }, shop.token)).body.data.chargeSavedCard;
    expect([replay.id, replay.status]).toEqual([pending.id, 'CONFIRMED']);
  });

  it('an answer without a Status is no answer: GATEWAY_ERROR, PENDING and nothing credited until the gateway\'s word settles it', async () => {
    const token = 'tk_cp_no_status_000001';
    const id = await saveCard(token);
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const chargeIt = async (key: string, omit: string[]) => {
      cp.omitFromCharge = omit;
      try {
        return (await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '30', idempotencyKey: key } }, shop.token)).body;
      } finally {
        cp.omitFromCharge = [];
      }
    };
    // Success=true without a Status: the money may or may not be taken; not credited on that.
    expect((await chargeIt('cp-no-status', ['Status'])).errors?.[0].extensions?.code).toBe('GATEWAY_ERROR');
    const pending = await t.deps.db.payment.findFirstOrThrow({ where: { idempotencyKey: 'cp-no-status' } });
    expect(pending.status).toBe('PENDING');
    await outboxDrained(t);
    expect(await balanceOf(t, shop)).toBe(before);
    // The replay asks v2/payments/find, which knows the transaction Completed.
    expect((await chargeIt('cp-no-status', [])).data.chargeSavedCard).toMatchObject({ id: pending.id, status: 'CONFIRMED' });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 30));
    // Success=false without a Status: a decline only with its ReasonCode.
    cp.tokens.set(token, { accountId: shop.clientId, approve: false });
    expect((await chargeIt('cp-declined-no-status', ['Status'])).data.chargeSavedCard).toMatchObject({ status: 'FAILED', failureCode: '5051' });
    expect((await chargeIt('cp-nothing', ['Status', 'ReasonCode'])).errors?.[0].extensions?.code).toBe('GATEWAY_ERROR');
    expect((await t.deps.db.payment.findFirstOrThrow({ where: { idempotencyKey: 'cp-nothing' } })).status).toBe('PENDING');
  });

  it('a card deleted or expired while its charge is created is not charged: the payment FAILS, the gateway is never asked', async () => {
    const id = await saveCard('tk_cp_gone_0000000001');
    for (const [gone, set] of [['was deleted', `"deletedAt" = now()`], ['expired', `"expiresAt" = now() - interval '1 second'`]] as const) {
      // Right after the payment's row is written, in its transaction: after the checks, before the gateway call.
      await t.deps.db.$executeRawUnsafe(`CREATE FUNCTION card_gone() RETURNS trigger AS $$ BEGIN UPDATE "SavedPaymentMethod" SET ${set} WHERE id = NEW."paymentMethodId"; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await t.deps.db.$executeRawUnsafe('CREATE TRIGGER card_gone AFTER INSERT ON "Payment" FOR EACH ROW WHEN (NEW."paymentMethodId" IS NOT NULL) EXECUTE FUNCTION card_gone()');
      let res;
      try {
        res = await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: id, amount: '15' } }, shop.token);
      } finally {
        await t.deps.db.$executeRawUnsafe('DROP TRIGGER card_gone ON "Payment"');
        await t.deps.db.$executeRawUnsafe('DROP FUNCTION card_gone()');
      }
      expect(res.body.errors).toBeUndefined();
      const p = res.body.data.chargeSavedCard;
      expect([p.status, p.failureCode, p.failureReason]).toEqual(['FAILED', 'CARD_UNAVAILABLE', `saved payment method ${id} ${gone} before it was charged`]);
      expect(cp.requests.filter((q) => q.path === 'payments/tokens/charge' && q.body.InvoiceId === p.id)).toEqual([]);
      expect((await t.deps.db.paymentEvent.findMany({ where: { paymentId: p.id } })).map((h) => h.code)).toEqual(['INITIATED', 'NOT_CHARGED']);
      await t.deps.db.savedPaymentMethod.update({ where: { id }, data: { deletedAt: null, expiresAt: new Date('2031-11-30T23:59:59.999Z') } });
    }
  });

  it('an auto top-up charges as the merchant (TrInitiatorCode 0, PaymentScheduled 0); a lost answer is asked again under the same X-Request-ID, charged and credited once', async () => {
    const id = await saveCard('tk_cp_auto_00000000001');
    await outboxDrained(t);
    const before = await balanceOf(t, shop);
    const set = await t.gql('mutation($i: SetAutoTopUpInput!) { setAutoTopUp(input: $i) { enabled } }', { i: { clientId: shop.clientId, paymentMethodId: id, threshold: before, amount: '25' } }, shop.token);
    expect(set.body.data.setAutoTopUp.enabled).toBe(true);
    cp.dropAnswers('payments/tokens/charge', 1);
    const debit = await t.gql('mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id } }', { i: { clientId: shop.clientId, amount: '1', reason: 'a class' } }, shop.token);
    const trigger = debit.body.data.debitBalance.id as string;
    const p = await waitFor(() => t.deps.db.payment.findFirst({ where: { organizationId: shop.orgId, idempotencyKey: `auto-top-up:${trigger}` } }), (row) => row !== null);
    const calls = () => cp.requests.filter((q) => q.path === 'payments/tokens/charge' && q.body.InvoiceId === p!.id);
    await waitFor(async () => calls(), (c) => c.length === 1);
    expect(calls()[0]).toMatchObject({ requestId: `charge-${p!.id}`, status: 0, body: { Amount: 25, AccountId: shop.clientId, TrInitiatorCode: 0, PaymentScheduled: 0, Token: 'tk_cp_auto_00000000001' } });
    await waitFor(() => t.deps.db.outbox.count({ where: { kind: 'auto-top-up', key: `auto-top-up:${trigger}`, status: 'DONE' } }), (n) => n === 1);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: p!.id } })).status).toBe('PENDING');

    // The follow-up row would ask a minute later: brought forward, it sends the same request again.
    await t.deps.db.outbox.updateMany({ where: { key: `auto-top-up:${trigger}:1` }, data: { availableAt: new Date() } });
    t.deps.outboxSignal.notify(['auto-top-up']);
    await waitFor(() => t.deps.db.payment.findUniqueOrThrow({ where: { id: p!.id } }), (row) => row.status === 'CONFIRMED', { timeoutMs: 20_000 });
    expect(calls().map((c) => c.requestId)).toEqual([`charge-${p!.id}`, `charge-${p!.id}`]);
    expect([...cp.transactions.values()].filter((x) => x.InvoiceId === p!.id)).toHaveLength(1);
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(plus(before, -1), 25));
    await outboxDrained(t);
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: p!.id } })).toBe(1);
    expect(await t.deps.db.payment.count({ where: { organizationId: shop.orgId, idempotencyKey: { startsWith: `auto-top-up:${trigger}` } } })).toBe(1);
    await t.gql('mutation($i: SetAutoTopUpInput!) { setAutoTopUp(input: $i) { enabled } }', { i: { clientId: shop.clientId, paymentMethodId: id, threshold: '0', amount: '25', enabled: false } }, shop.token);
  });

  it('a gateway without token charges (CryptoCloud) refuses the card with BAD_USER_INPUT', async () => {
    const gw = await t.deps.db.paymentGateway.create({
      data: { id: 'gw_cc_cards', organizationId: shop.orgId, type: 'CRYPTOCLOUD', publicId: 'shop_cc', apiSecretEncrypted: 'x', environment: 'LIVE' },
    });
    const m = await t.deps.db.savedPaymentMethod.create({
      data: {
        id: 'pm_cc_1', organizationId: shop.orgId, environment: 'LIVE', clientId: shop.clientId, gatewayId: gw.id, clubId: shop.clubId, fingerprint: 'f'.repeat(64),
        tokenEncrypted: 'x', expiresAt: new Date('2030-01-31T23:59:59.999Z'), sourcePaymentId: 'pay_x',
      },
    });
    const before = await t.deps.db.payment.count();
    const res = await t.gql(CHARGE, { i: { clientId: shop.clientId, paymentMethodId: m.id, amount: '5' } }, shop.token);
    expect([res.body.errors?.[0].extensions?.code, res.body.errors?.[0].message]).toEqual(['BAD_USER_INPUT', 'CryptoCloud cannot charge saved cards']);
    expect(await t.deps.db.payment.count()).toBe(before);
  });
});

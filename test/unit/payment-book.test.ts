// The payment book, table by table: every status against every input, duplicates, stale and
// out-of-order words of the gateway, and staff commands. Pure: no database, no clock.
import { decide, type BookInput, type Decision, type PaymentSnapshot, type RefundSnapshot } from '../../src/domain/book';
import type { GatewayEvent } from '../../src/domain/gateway-events';
import { Decimal } from '../../src/domain/money';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../src/domain/payment-state';

const NOW = new Date('2026-12-01T12:00:00Z');
const LATER = new Date('2026-12-01T12:30:00Z');
const d = (v: string) => new Decimal(v);

function payment(status: PaymentStatus, over: Partial<PaymentSnapshot> = {}): PaymentSnapshot {
  const held = status === 'AUTHORIZED';
  return {
    id: 'pay_1', status, amount: d('500'), currency: 'RUB', clientId: 'client_1', clientActive: true, clientCurrency: 'RUB',
    gatewayTransactionId: status === 'PENDING' ? null : 'T1', authorizedAmount: held ? d('500') : null, captureAmount: null,
    expiresAt: LATER, failureCode: status === 'FAILED' ? '5051' : null, refundedAmount: status === 'REFUNDED' ? d('500') : status === 'PARTIALLY_REFUNDED' ? d('100') : d('0'),
    restrictRefund: false, deleted: false, metadata: {}, refunds: [], lastEntry: null, environment: 'LIVE', saveCard: false, itemsTotal: null, ...over,
  };
}
const refund = (id: string, status: RefundSnapshot['status'], amount: string, gatewayRefundId: string | null = null): RefundSnapshot =>
  ({ id, status, amount: d(amount), gatewayRefundId, reason: null });

const facts = { invoiceId: 'pay_1', accountId: 'client_1', amount: '500.00', currency: 'RUB' };
const word = (event: Exclude<GatewayEvent, { kind: 'ignored' | 'subscription' | 'receipt' }>, extra: Partial<Extract<BookInput, { kind: 'gateway-event' }>> = {}): BookInput =>
  ({ kind: 'gateway-event', event, source: 'callback', now: NOW, ...extra });
const pay = (transactionId = 'T1', over = {}) => word({ kind: 'confirmed', ...facts, transactionId, ...over });
const hold = (transactionId = 'T1') => word({ kind: 'authorized', ...facts, transactionId });
const fail = (transactionId = 'T1') => word({ kind: 'failed', ...facts, transactionId, reason: 'InsufficientFunds', reasonCode: '5051' });
const cancel = (transactionId = 'T1') => word({ kind: 'cancelled', invoiceId: 'pay_1', transactionId, amount: '500.00' });
const check = (over = {}) => word({ kind: 'check', ...facts, transactionId: 'T9', ...over });

/** What a decision comes to, in one line: "→ CONFIRMED [credit]", "note AMOUNT_MISMATCH [attention AMOUNT_MISMATCH]", "refused BAD_USER_INPUT", "—". */
function outcome(decision: Decision): string {
  if (decision.refusal && !decision.change) return `refused ${decision.refusal.code}`;
  const effects = decision.effects.map((e) => (e.kind === 'ask' ? `ask ${e.action}` : e.kind === 'attention' ? `attention ${e.item.kind}` : e.kind)).filter((k) => k !== 'emit');
  const tail = effects.length ? ` [${effects.join(', ')}]` : '';
  if (decision.change?.to) return `→ ${decision.change.to}${tail}`;
  if (decision.history.length) return `note ${decision.history[0].code}${tail}`;
  return effects.length ? `[${effects.join(', ')}]` : '—';
}

const table = (rows: Array<[PaymentStatus | string, PaymentSnapshot | null, BookInput, string]>) =>
  it.each(rows)('%s: %#', (_label, p, input, expected) => expect(outcome(decide(p, input))).toBe(expected));

describe('the payment book', () => {
  it('covers every status in every table below', () => {
    expect(PAYMENT_STATUSES.sort()).toEqual(['AUTHORIZED', 'CANCELLED', 'CONFIRMED', 'FAILED', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED']);
  });

  describe('a Pay with a card token (saved only with the payer\'s consent, only when the Pay lands)', () => {
    const card = { id: 'pm_1', fingerprint: 'f1', tokenEncrypted: 'v1.sealed', lastFour: '1111', expiresAt: new Date('2030-12-31T23:59:59.999Z') };
    const tokenPay = (over = {}) => ({ ...(pay() as object), card, ...over }) as BookInput;
    table([
      ['PENDING with consent', payment('PENDING', { saveCard: true }), tokenPay(), '→ CONFIRMED [credit, save-card]'],
      ['PENDING with consent: a two-stage hold', payment('PENDING', { saveCard: true }), { ...(hold() as object), card } as BookInput, '→ AUTHORIZED [save-card]'],
      ['PENDING without consent', payment('PENDING'), tokenPay(), '→ CONFIRMED [credit]'],
      // Reconciliation or expiry booked the transaction first: its Pay still keeps the card (and only the card).
      ['CONFIRMED with consent: its Pay after reconciliation', payment('CONFIRMED', { saveCard: true }), tokenPay(), '[save-card]'],
      ['PARTIALLY_REFUNDED with consent: its Pay, late', payment('PARTIALLY_REFUNDED', { saveCard: true }), tokenPay(), '[save-card]'],
      ['AUTHORIZED with consent: its hold\'s Pay after reconciliation', payment('AUTHORIZED', { saveCard: true }), { ...(hold() as object), card } as BookInput, '[save-card]'],
      ['CONFIRMED without consent: a duplicate', payment('CONFIRMED'), tokenPay(), '—'],
      ['CONFIRMED with consent: a Pay of another transaction', payment('CONFIRMED', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, transactionId: 'T2' } }), 'note SECOND_PAYMENT [attention DOUBLE_PAYMENT]'],
      ['FAILED with consent: a retried Pay of the declined transaction', payment('FAILED', { saveCard: true }), tokenPay(), '—'],
      ['CONFIRMED with consent: its Pay naming another account', payment('CONFIRMED', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, accountId: 'client_2', transactionId: 'T1' } }), '—'],
      ['PENDING with consent: a Pay naming another account', payment('PENDING', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, accountId: 'client_2', transactionId: 'T1' } }), '→ CONFIRMED [credit]'],
      ['PENDING with consent: a Pay naming no account', payment('PENDING', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, accountId: undefined, transactionId: 'T1' } }), '→ CONFIRMED [credit, save-card]'],
      ['PENDING with consent: another amount', payment('PENDING', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, amount: '1.00', transactionId: 'T1' } }), 'note AMOUNT_MISMATCH [attention AMOUNT_MISMATCH]'],
    ]);
    it('a late Pay keeps a card staff deleted deleted; the Pay that confirms brings it back', () => {
      expect(decide(payment('CONFIRMED', { saveCard: true }), tokenPay()).effects).toEqual([{ kind: 'save-card', card, keepDeleted: true }]);
      expect(decide(payment('PENDING', { saveCard: true }), tokenPay()).effects).toContainEqual({ kind: 'save-card', card });
    });
    it('a Pay naming another account saves nothing, and says so', () => {
      const d = decide(payment('PENDING', { saveCard: true }), tokenPay({ event: { kind: 'confirmed', ...facts, accountId: 'client_2', transactionId: 'T1' } }));
      expect(d.history[0].data).not.toHaveProperty('cardSaved');
      expect(d.history[0].text).toContain('card not saved: the gateway names another account');
      expect(d.attention).toContain('card not saved');
    });
    it('says so in the history, never with the token', () => {
      const d = decide(payment('PENDING', { saveCard: true }), tokenPay());
      expect(d.history[0].data).toMatchObject({ cardSaved: true });
      expect(JSON.stringify(d.history)).not.toContain('sealed');
    });
  });

  describe('a Pay (the money is taken)', () => table([
    ['PENDING', payment('PENDING'), pay(), '→ CONFIRMED [credit]'],
    ['AUTHORIZED: its Confirm', payment('AUTHORIZED'), pay(), '→ CONFIRMED [credit]'],
    ['CONFIRMED: a duplicate', payment('CONFIRMED'), pay(), '—'],
    ['PARTIALLY_REFUNDED: a duplicate', payment('PARTIALLY_REFUNDED'), pay(), '—'],
    ['REFUNDED: a duplicate', payment('REFUNDED'), pay(), '—'],
    ['FAILED: paid after a decline', payment('FAILED', { gatewayTransactionId: 'T0' }), pay(), '→ CONFIRMED [credit]'],
    ['FAILED: a retried Pay of the declined transaction', payment('FAILED'), pay('T1'), '—'],
    ['CANCELLED: paid after a cancel', payment('CANCELLED', { gatewayTransactionId: null }), pay(), '→ CONFIRMED [credit]'],
    ['CANCELLED by expiry: paid late', payment('CANCELLED', { gatewayTransactionId: null, failureCode: 'EXPIRED' }), pay(), '→ CONFIRMED [credit]'],
    ['CANCELLED and deleted by staff: paid late, still credited', payment('CANCELLED', { gatewayTransactionId: null, deleted: true }), pay(), '→ CONFIRMED [credit]'],
    ['CONFIRMED: another transaction', payment('CONFIRMED'), pay('T2'), 'note SECOND_PAYMENT [attention DOUBLE_PAYMENT]'],
    ['AUTHORIZED: another transaction', payment('AUTHORIZED'), pay('T2'), 'note SECOND_PAYMENT [attention DOUBLE_PAYMENT]'],
    ['PENDING: another amount', payment('PENDING'), pay('T1', { amount: '5000.00' }), 'note AMOUNT_MISMATCH [attention AMOUNT_MISMATCH]'],
    ['PENDING: another currency', payment('PENDING'), pay('T1', { currency: 'USD' }), 'note AMOUNT_MISMATCH [attention AMOUNT_MISMATCH]'],
    ['PENDING: the same mismatch again', payment('PENDING', { lastEntry: { code: 'AMOUNT_MISMATCH', key: '5000.00 RUB' } }), pay('T1', { amount: '5000.00' }), '[attention AMOUNT_MISMATCH]'],
    ['PENDING: a transaction another payment holds', payment('PENDING'), { ...(pay('T7') as object), transactionHeldBy: 'pay_2' } as BookInput, 'note TRANSACTION_HELD_ELSEWHERE [attention TRANSACTION_HELD_ELSEWHERE]'],
    ['unknown invoice', null, pay(), '[attention UNKNOWN_INVOICE]'],
  ]));

  describe('a hold (Pay with Status=Authorized)', () => table([
    ['PENDING', payment('PENDING'), hold(), '→ AUTHORIZED'],
    ['AUTHORIZED: a duplicate', payment('AUTHORIZED'), hold(), '—'],
    ['FAILED: authorized after a decline', payment('FAILED', { gatewayTransactionId: 'T0' }), hold(), '→ AUTHORIZED'],
    ['CANCELLED: authorized after a cancel', payment('CANCELLED', { gatewayTransactionId: null }), hold(), '→ AUTHORIZED'],
    ['CONFIRMED: out of order, after its capture', payment('CONFIRMED'), hold(), '—'],
    ['REFUNDED', payment('REFUNDED'), hold(), '—'],
  ]));

  describe('a Fail', () => table([
    ['PENDING', payment('PENDING'), fail(), '→ FAILED'],
    ['AUTHORIZED: its own hold fails', payment('AUTHORIZED'), fail('T1'), '→ FAILED'],
    ['AUTHORIZED: a late Fail of an earlier attempt', payment('AUTHORIZED'), fail('T0'), '—'],
    ['CONFIRMED: a late Fail never undoes a Pay', payment('CONFIRMED'), fail(), '—'],
    ['PARTIALLY_REFUNDED', payment('PARTIALLY_REFUNDED'), fail(), '—'],
    ['REFUNDED', payment('REFUNDED'), fail(), '—'],
    ['FAILED: a duplicate', payment('FAILED'), fail(), '—'],
    ['CANCELLED', payment('CANCELLED'), fail(), '—'],
    ['unknown invoice', null, fail(), '—'],
  ]));

  describe('a Cancel', () => table([
    ['PENDING', payment('PENDING'), cancel(), '→ CANCELLED'],
    ['AUTHORIZED: its hold is voided', payment('AUTHORIZED'), cancel('T1'), '→ CANCELLED'],
    ['AUTHORIZED: a late Cancel of an earlier attempt', payment('AUTHORIZED'), cancel('T0'), '—'],
    ['CONFIRMED', payment('CONFIRMED'), cancel(), '—'],
    ['FAILED', payment('FAILED'), cancel(), '—'],
    ['CANCELLED: a duplicate', payment('CANCELLED'), cancel(), '—'],
  ]));

  describe('a Check answers', () => {
    const answer = (p: PaymentSnapshot | null, input = check()) => decide(p, input).answer;
    it.each([
      ['a payable payment', payment('PENDING'), { result: 'ok' }],
      ['a declined one not yet expired (a retry in the widget)', payment('FAILED'), { result: 'ok' }],
      ['a declined one past its time', payment('FAILED', { expiresAt: new Date('2026-12-01T11:00:00Z') }), { result: 'declined', reason: 'EXPIRED' }],
      ['one we expired', payment('CANCELLED', { failureCode: 'EXPIRED' }), { result: 'declined', reason: 'EXPIRED' }],
      ['a cancelled one', payment('CANCELLED'), { result: 'declined', reason: 'NOT_PAYABLE' }],
      ['a paid one', payment('CONFIRMED'), { result: 'declined', reason: 'NOT_PAYABLE' }],
      ['a held one', payment('AUTHORIZED'), { result: 'declined', reason: 'NOT_PAYABLE' }],
      ['a refunded one', payment('REFUNDED'), { result: 'declined', reason: 'NOT_PAYABLE' }],
      ['an inactive client', payment('PENDING', { clientActive: false }), { result: 'declined', reason: 'ACCOUNT_MISMATCH' }],
      ['an unknown invoice', null, { result: 'declined', reason: 'UNKNOWN_INVOICE' }],
    ])('%s', (_what, p, expected) => expect(answer(p)).toEqual(expected));
    it('another account or amount', () => {
      expect(answer(payment('PENDING'), check({ accountId: 'client_2' }))).toEqual({ result: 'declined', reason: 'ACCOUNT_MISMATCH' });
      expect(answer(payment('PENDING'), check({ amount: '499.99' }))).toEqual({ result: 'declined', reason: 'AMOUNT_MISMATCH' });
      expect(answer(payment('PENDING'), check({ currency: 'USD' }))).toEqual({ result: 'declined', reason: 'AMOUNT_MISMATCH' });
    });
    it('changes nothing', () => expect(decide(payment('PENDING'), check())).toMatchObject({ change: null, history: [], effects: [] }));
    it.each([
      ['a test transaction for a LIVE payment', 'LIVE', true, { result: 'declined', reason: 'WRONG_ENVIRONMENT' }],
      ['a real transaction for a TEST payment', 'TEST', false, { result: 'declined', reason: 'WRONG_ENVIRONMENT' }],
      ['a test transaction for a TEST payment', 'TEST', true, { result: 'ok' }],
      ['a real transaction for a LIVE payment', 'LIVE', false, { result: 'ok' }],
      ['a gateway that does not say, for a LIVE payment', 'LIVE', undefined, { result: 'ok' }],
    ] as const)('%s', (_what, environment, testMode, expected) => {
      expect(answer(payment('PENDING', { environment }), check({ testMode }))).toEqual(expected);
    });
  });

  describe('a Pay whose test mode disagrees with the payment\'s environment', () => {
    it.each([
      ['a test card on a LIVE payment', 'LIVE', true, 'TEST_CARD_ON_LIVE'],
      ['a real card on a TEST payment', 'TEST', false, 'LIVE_CARD_ON_TEST'],
    ] as const)('%s: answered as handled, credited never, noted for a person', (_what, environment, testMode, code) => {
      const p = payment('PENDING', { environment });
      const decision = decide(p, pay('T1', { testMode }));
      expect(decision.answer).toEqual({ result: 'ok' });
      expect(decision.change).toBeNull();
      expect(outcome(decision)).toBe(`note ${code} [attention ${code}]`);
      expect(decision.attention).toBeTruthy();
      // the gateway's retry of the same Pay is a repeat, not news
      expect(decide({ ...p, lastEntry: { code, key: 'T1' } }, pay('T1', { testMode })).history).toEqual([]);
    });
    it('the gateway\'s API saying so at reconciliation or expiry is the same: not credited', () => {
      const state = { kind: 'gateway-state', state: { status: 'confirmed', transactionId: 'T1', amount: '500.00', currency: 'RUB', testMode: true }, source: 'reconciliation', now: NOW } as const;
      const decision = decide(payment('PENDING', { environment: 'LIVE' }), state);
      expect([decision.change, outcome(decision)]).toEqual([null, 'note TEST_CARD_ON_LIVE [attention TEST_CARD_ON_LIVE]']);
    });
    it('a matching test mode is credited as usual', () => {
      expect(decide(payment('PENDING', { environment: 'TEST' }), pay('T1', { testMode: true })).effects).toEqual([{ kind: 'credit' }]);
    });
  });

  describe('partial crypto payments (progress)', () => {
    const news = word({ kind: 'progress', invoiceId: 'pay_1', note: 'partially paid', details: { received: '0.5' } });
    it('is news once, then a repeat', () => {
      const first = decide(payment('PENDING'), news);
      expect(first.change).toMatchObject({ patch: { metadata: { received: '0.5' } } });
      expect(first.history[0].code).toBe('PROGRESS');
      expect(outcome(decide(payment('PENDING', { lastEntry: { code: 'PROGRESS', key: first.history[0].key! } }), news))).toBe('—');
    });
  });

  describe('what reconciliation learns from the gateway', () => {
    const state = (s: Extract<BookInput, { kind: 'gateway-state' }>['state']): BookInput => ({ kind: 'gateway-state', state: s, source: 'reconciliation', now: NOW });
    table([
      ['PENDING: paid, its Pay lost', payment('PENDING'), state({ status: 'confirmed', transactionId: 'T1', amount: '500', currency: 'RUB' }), '→ CONFIRMED [credit]'],
      ['PENDING: held', payment('PENDING'), state({ status: 'authorized', transactionId: 'T1', amount: '500', currency: 'RUB' }), '→ AUTHORIZED'],
      ['PENDING: declined', payment('PENDING'), state({ status: 'failed', transactionId: 'T1', reason: 'x' }), '→ FAILED'],
      ['AUTHORIZED: the hold was released', payment('AUTHORIZED'), state({ status: 'cancelled' }), '→ CANCELLED'],
      ['AUTHORIZED: partly captured in the dashboard', payment('AUTHORIZED'), state({ status: 'confirmed', transactionId: 'T1', amount: '300', currency: 'RUB' }), '→ CONFIRMED [credit]'],
      ['PENDING: still under way', payment('PENDING'), state({ status: 'pending' }), '—'],
      ['PENDING: unknown to the gateway', payment('PENDING'), state({ status: 'unpaid' }), '—'],
      ['FAILED: declined again', payment('FAILED'), state({ status: 'failed', transactionId: 'T1', reason: 'x' }), '—'],
    ]);
    it('says so in history', () => {
      expect(decide(payment('PENDING'), state({ status: 'confirmed', transactionId: 'T1', amount: '500', currency: 'RUB' })).history[0].text).toMatch(/\(reconciled with the gateway\)$/);
    });
  });

  describe('capture', () => table([
    ['AUTHORIZED: asks the gateway, recording the amount', payment('AUTHORIZED'), { kind: 'capture', amount: d('300') }, `note CAPTURE_ASKED [ask capture]`],
    ['AUTHORIZED: more than is held', payment('AUTHORIZED'), { kind: 'capture', amount: d('600') }, 'refused BAD_USER_INPUT'],
    ['AUTHORIZED: another amount than one already asked', payment('AUTHORIZED', { captureAmount: d('10') }), { kind: 'capture', amount: null }, 'refused CONFLICT'],
    ['AUTHORIZED: the same amount again (a retry)', payment('AUTHORIZED', { captureAmount: d('10') }), { kind: 'capture', amount: d('10') }, '[ask capture]'],
    ['CONFIRMED: already captured', payment('CONFIRMED'), { kind: 'capture', amount: null }, '—'],
    ['REFUNDED', payment('REFUNDED'), { kind: 'capture', amount: null }, '—'],
    ['PENDING', payment('PENDING'), { kind: 'capture', amount: null }, 'refused BAD_USER_INPUT'],
    ['FAILED', payment('FAILED'), { kind: 'capture', amount: null }, 'refused BAD_USER_INPUT'],
    ['CANCELLED', payment('CANCELLED'), { kind: 'capture', amount: null }, 'refused BAD_USER_INPUT'],
    ['AUTHORIZED: the gateway captured', payment('AUTHORIZED', { captureAmount: d('300') }), { kind: 'capture-answered', amount: d('300'), ok: true, now: NOW }, '→ CONFIRMED [credit]'],
    ['AUTHORIZED with items: the whole hold', payment('AUTHORIZED', { itemsTotal: d('500') }), { kind: 'capture', amount: d('500.00') }, 'note CAPTURE_ASKED [ask capture]'],
    ['AUTHORIZED with items: the whole hold, amount left out', payment('AUTHORIZED', { itemsTotal: d('500') }), { kind: 'capture', amount: null }, 'note CAPTURE_ASKED [ask capture]'],
    ['AUTHORIZED with items: less than they add up to', payment('AUTHORIZED', { itemsTotal: d('500') }), { kind: 'capture', amount: d('300') }, 'refused BAD_USER_INPUT'],
    ['AUTHORIZED, the default line: any part', payment('AUTHORIZED', { itemsTotal: null }), { kind: 'capture', amount: d('0.01') }, 'note CAPTURE_ASKED [ask capture]'],
    ['CONFIRMED: its Confirm came first', payment('CONFIRMED'), { kind: 'capture-answered', amount: d('300'), ok: true, now: NOW }, '—'],
  ]));

  it('a refused capture records why, frees the amount and refuses', () => {
    const refused = decide(payment('AUTHORIZED', { captureAmount: d('300') }), { kind: 'capture-answered', amount: d('300'), ok: false, reason: 'no', now: NOW });
    expect(refused.change?.patch).toEqual({ captureAmount: null });
    expect(refused.refusal?.message).toMatch(/the gateway refused the capture: no/);
  });

  it('a capture of items of less than they add up to is refused, saying what may be done', () => {
    const refused = decide(payment('AUTHORIZED', { itemsTotal: d('500') }), { kind: 'capture', amount: d('300') });
    expect(refused.refusal).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount', message: expect.stringMatching(/items add up to 500.00 RUB.*capture the whole hold or void it/) });
    expect(refused.change).toBeNull();
    expect(refused.effects).toEqual([]);
  });

  it('the gateway captured another amount than the items add up to: booked (its word wins), and a person is told', () => {
    const confirm = word({ kind: 'confirmed', ...facts, amount: '300.00', transactionId: 'T1' });
    const got = decide(payment('AUTHORIZED', { itemsTotal: d('500') }), confirm);
    expect(outcome(got)).toBe('→ CONFIRMED [credit]');
    expect(got.change?.patch).toMatchObject({ amount: d('300'), capturedAmount: d('300') });
    expect(got.history[0].text).toMatch(/the items add up to 500.00 RUB, not the 300.00 captured: the receipt needs a person/);
    expect(got.attention).toMatch(/receipt needs a person/);
    const whole = decide(payment('AUTHORIZED', { itemsTotal: d('500') }), pay());
    expect(whole.attention).toBeNull();
    const plain = decide(payment('AUTHORIZED'), confirm); // the default line follows the amount
    expect(plain.attention).toBeNull();
    // a capture asked of the gateway before items were checked at capture: the same note
    const answered = decide(payment('AUTHORIZED', { itemsTotal: d('500'), captureAmount: d('300') }), { kind: 'capture-answered', amount: d('300'), ok: true, now: NOW });
    expect(outcome(answered)).toBe('→ CONFIRMED [credit]');
    expect(answered.attention).toMatch(/receipt needs a person/);
  });

  it('a capture credits what was captured', () => {
    expect(decide(payment('AUTHORIZED'), { kind: 'capture-answered', amount: d('300'), ok: true, now: NOW }).change?.patch).toMatchObject({ amount: d('300'), capturedAmount: d('300') });
  });

  describe('void, cancel, expire', () => table([
    ['void AUTHORIZED', payment('AUTHORIZED'), { kind: 'void' }, '[ask void]'],
    ['void CANCELLED: already released', payment('CANCELLED'), { kind: 'void' }, '—'],
    ...(['PENDING', 'CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED'] as const).map((s): [string, PaymentSnapshot, BookInput, string] => [`void ${s}`, payment(s), { kind: 'void' }, 'refused BAD_USER_INPUT']),
    ['voided by the gateway', payment('AUTHORIZED'), { kind: 'void-answered', ok: true }, '→ CANCELLED'],
    ['cancel PENDING: and its page', payment('PENDING'), { kind: 'cancel' }, '→ CANCELLED [ask cancel-page]'],
    ['cancel AUTHORIZED: a void', payment('AUTHORIZED'), { kind: 'cancel' }, '[ask void]'],
    ['cancel CANCELLED', payment('CANCELLED'), { kind: 'cancel' }, '—'],
    ...(['CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED'] as const).map((s): [string, PaymentSnapshot, BookInput, string] => [`cancel ${s}`, payment(s), { kind: 'cancel' }, 'refused BAD_USER_INPUT']),
    ['expire PENDING', payment('PENDING'), { kind: 'expire' }, '→ CANCELLED'],
    ...(['AUTHORIZED', 'CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED', 'CANCELLED'] as const).map((s): [string, PaymentSnapshot, BookInput, string] => [`expire ${s}`, payment(s), { kind: 'expire' }, '—']),
    // A saved card deleted or expired before its charge was sent.
    ['not charged: PENDING', payment('PENDING'), { kind: 'not-charged', reason: 'saved payment method pm_1 was deleted before it was charged' }, '→ FAILED'],
    ...(['AUTHORIZED', 'CONFIRMED', 'FAILED', 'CANCELLED'] as const).map((s): [string, PaymentSnapshot, BookInput, string] => [`not charged: ${s}`, payment(s), { kind: 'not-charged', reason: 'x' }, '—']),
  ]));

  describe('asking for a refund', () => {
    const ask = (amount: string | null, over: Partial<Extract<BookInput, { kind: 'refund-request' }>> = {}): BookInput =>
      ({ kind: 'refund-request', amount: amount === null ? null : d(amount), refundsSupported: true, gatewayName: 'TESTPAY', ...over });
    table([
      ['CONFIRMED: the rest', payment('CONFIRMED'), ask(null), '[reserve-refund]'],
      ['CONFIRMED: a part', payment('CONFIRMED'), ask('100'), '[reserve-refund]'],
      ['CONFIRMED: more than is left', payment('CONFIRMED', { refunds: [refund('r1', 'PENDING', '450')] }), ask('100'), 'refused BAD_USER_INPUT'],
      ['CONFIRMED: nothing left', payment('CONFIRMED', { refunds: [refund('r1', 'SUCCEEDED', '500')] }), ask(null), 'refused BAD_USER_INPUT'],
      ['CONFIRMED: a refused refund frees its amount', payment('CONFIRMED', { refunds: [refund('r1', 'FAILED', '500')] }), ask('500'), '[reserve-refund]'],
      ['PARTIALLY_REFUNDED', payment('PARTIALLY_REFUNDED'), ask('100'), '[reserve-refund]'],
      ['AUTHORIZED: released instead', payment('AUTHORIZED'), ask(null), '[ask void]'],
      ['AUTHORIZED: a part cannot be', payment('AUTHORIZED'), ask('10'), 'refused BAD_USER_INPUT'],
      ...(['PENDING', 'FAILED', 'CANCELLED', 'REFUNDED'] as const).map((s): [string, PaymentSnapshot, BookInput, string] => [s, payment(s), ask(null), 'refused BAD_USER_INPUT']),
      ['restricted', payment('CONFIRMED', { restrictRefund: true }), ask(null), 'refused BAD_USER_INPUT'],
      ['a gateway without refunds', payment('CONFIRMED'), ask(null, { refundsSupported: false }), 'refused BAD_USER_INPUT'],
    ]);
  });

  describe('a Refund notification', () => {
    const refunded = (over = {}) => word({ kind: 'refunded', invoiceId: 'pay_1', paymentTransactionId: 'T1', gatewayRefundId: 'R1', amount: '100.00', ...over });
    table([
      ['CONFIRMED: made in the dashboard', payment('CONFIRMED'), refunded(), '[record-refund]'],
      ['CONFIRMED: ours, named by our id', payment('CONFIRMED', { refunds: [refund('ref_1', 'PENDING', '100')] }), refunded({ refundId: 'ref_1' }), '[settle-refund]'],
      ['CONFIRMED: ours, whose answer timed out (no id)', payment('CONFIRMED', { refunds: [refund('ref_1', 'PENDING', '100')] }), refunded(), '[settle-refund]'],
      ['CONFIRMED: ours, already settled (a duplicate)', payment('CONFIRMED', { refunds: [refund('ref_1', 'SUCCEEDED', '100', 'R1')] }), refunded(), '—'],
      ['CONFIRMED: ours by id, but another amount', payment('CONFIRMED', { refunds: [refund('ref_1', 'PENDING', '10')] }), refunded({ refundId: 'ref_1' }), 'note REFUND_AMOUNT_MISMATCH [attention REFUND_MISMATCH]'],
      ['CONFIRMED: more than is left at the gateway', payment('CONFIRMED', { refunds: [refund('r0', 'SUCCEEDED', '450', 'R0')] }), refunded(), 'note REFUND_EXCEEDS_LEFT [attention REFUND_EXCEEDS]'],
      ['CONFIRMED: ours recorded as failed, done after all', payment('CONFIRMED', { refunds: [refund('ref_1', 'FAILED', '100')] }), refunded({ refundId: 'ref_1' }), '[settle-refund]'],
      ['PENDING: before its Pay (asked again later)', payment('PENDING'), refunded(), '—'],
      ['unknown payment', null, refunded(), '—'],
    ]);
    it('asks the gateway to send it again while the payment is not settled', () => {
      expect(decide(payment('PENDING'), refunded()).answer).toEqual({ result: 'retry' });
    });
  });

  describe('booking a refund on the balance', () => {
    const booking = (refundId: string, balance: string, credited = true): BookInput => ({ kind: 'refund-booking', refundId, balance: d(balance), credited });
    it('a part: PARTIALLY_REFUNDED, the balance debited', () => {
      const decision = decide(payment('CONFIRMED', { refunds: [refund('ref_1', 'SUCCEEDED', '100', 'R1')] }), booking('ref_1', '500'));
      expect(outcome(decision)).toBe('→ PARTIALLY_REFUNDED [post, set-shortfall]');
      expect(decision.effects).toContainEqual(expect.objectContaining({ kind: 'post', amount: d('-100') }));
    });
    it('the rest: REFUNDED; what was spent is a shortfall, the balance never below zero', () => {
      const decision = decide(payment('PARTIALLY_REFUNDED', { refunds: [refund('ref_2', 'SUCCEEDED', '400', 'R2')] }), booking('ref_2', '150'));
      expect(decision.change?.to).toBe('REFUNDED');
      expect(decision.effects).toContainEqual(expect.objectContaining({ kind: 'post', amount: d('-150') }));
      expect(decision.effects).toContainEqual({ kind: 'set-shortfall', refundId: 'ref_2', shortfall: d('250') });
    });
    it('nothing left on the balance: no posting, all of it a shortfall', () => {
      const decision = decide(payment('CONFIRMED', { refunds: [refund('ref_1', 'SUCCEEDED', '500', 'R1')] }), booking('ref_1', '0'));
      expect(outcome(decision)).toBe('→ REFUNDED [set-shortfall, attention SHORTFALL]');
    });
    it('waits for the payment\'s own credit', () => {
      expect(() => decide(payment('CONFIRMED', { refunds: [refund('ref_1', 'SUCCEEDED', '100')] }), booking('ref_1', '0', false))).toThrow(/not credited yet/);
    });
  });

  describe('crediting', () => {
    it.each(['CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const)('%s: its amount, once', (s) => {
      expect(decide(payment(s), { kind: 'credit' }).effects).toContainEqual(expect.objectContaining({ kind: 'post', ledgerKind: 'TOP_UP', amount: d('500') }));
    });
    it.each(['PENDING', 'AUTHORIZED', 'FAILED', 'CANCELLED'] as const)('%s: nothing to credit', (s) => {
      expect(() => decide(payment(s), { kind: 'credit' })).toThrow(/nothing to credit/);
    });
    it('a payment in another currency than the client\'s balance: nothing posted, a person told', () => {
      const decision = decide(payment('CONFIRMED', { clientCurrency: 'KZT' }), { kind: 'credit' });
      expect(outcome(decision)).toBe('note CURRENCY_MISMATCH [attention CURRENCY_MISMATCH]');
      expect(decision.attention).toMatch(/KZT/);
    });
  });

  it('a revived payment forgets its decline', () => {
    expect(decide(payment('FAILED', { gatewayTransactionId: 'T0' }), pay()).change?.patch).toMatchObject({ failureReason: null, failureCode: null });
  });

  it('never decides a change the transition table forbids', () => {
    const inputs: BookInput[] = [pay(), hold(), fail(), cancel(), { kind: 'cancel' }, { kind: 'expire' }, { kind: 'void-answered', ok: true }];
    for (const s of PAYMENT_STATUSES) {
      for (const input of inputs) expect(() => decide(payment(s), input)).not.toThrow(/cannot go from/);
    }
  });
});

describe('attention items (the attention effect)', () => {
  const raised = (decision: Decision) => decision.effects.flatMap((e) => (e.kind === 'attention' ? [e.item] : []));

  it('an amount mismatch: keyed by the transaction, the evidence as decimal strings, raised again on a repeat (its dedupe key keeps it one)', () => {
    const first = raised(decide(payment('PENDING'), pay('T1', { amount: '5000.00' })));
    expect(first).toEqual([{ kind: 'AMOUNT_MISMATCH', key: 'T1', evidence: expect.objectContaining({ transactionId: 'T1', amount: '5000.00', currency: 'RUB', expectedAmount: '500.00', expectedCurrency: 'RUB' }) }]);
    const again = raised(decide(payment('PENDING', { lastEntry: { code: 'AMOUNT_MISMATCH', key: '5000.00 RUB' } }), pay('T1', { amount: '5000.00' })));
    expect(again.map((i) => [i.kind, i.key])).toEqual([['AMOUNT_MISMATCH', 'T1']]);
  });

  it('a second payment for a paid invoice is a DOUBLE_PAYMENT naming both transactions', () => {
    expect(raised(decide(payment('CONFIRMED'), pay('T2')))).toEqual([expect.objectContaining({ kind: 'DOUBLE_PAYMENT', key: 'T2', evidence: expect.objectContaining({ transactionId: 'T2', paidByTransactionId: 'T1' }) })]);
  });

  it('money for an unknown invoice: UNKNOWN_INVOICE with what the gateway said, and nothing else', () => {
    const decision = decide(null, pay('T5', { invoiceId: 'pay_nobody' }));
    expect(decision.effects).toEqual([{ kind: 'attention', item: { kind: 'UNKNOWN_INVOICE', key: 'T5', evidence: expect.objectContaining({ invoiceId: 'pay_nobody', transactionId: 'T5', amount: '500.00', currency: 'RUB' }) } }]);
  });

  it('a decline or a cancel for an unknown invoice moves no money: only logged', () => {
    expect(decide(null, fail()).effects).toEqual([]);
    expect(decide(null, cancel()).effects).toEqual([]);
  });

  it('a gateway refund above what is left: REFUND_EXCEEDS keyed by the gateway\'s refund id, with what is left', () => {
    const p = payment('CONFIRMED', { refunds: [refund('r0', 'SUCCEEDED', '450', 'R0')] });
    const decision = decide(p, word({ kind: 'refunded', invoiceId: 'pay_1', paymentTransactionId: 'T1', gatewayRefundId: 'R9', amount: '100.00' }));
    expect(raised(decision)).toEqual([expect.objectContaining({ kind: 'REFUND_EXCEEDS', key: 'R9', evidence: expect.objectContaining({ amount: '100.00', left: '50.00' }) })]);
  });

  it('a shortfall is raised with its refund; a refund the balance covers raises nothing', () => {
    const p = payment('CONFIRMED', { refunds: [refund('ref_1', 'SUCCEEDED', '500', 'R1')] });
    const short = raised(decide(p, { kind: 'refund-booking', refundId: 'ref_1', balance: d('120'), credited: true }));
    expect(short).toEqual([{ kind: 'SHORTFALL', key: 'ref_1', refundId: 'ref_1', evidence: expect.objectContaining({ amount: '500.00', shortfall: '380.00', currency: 'RUB' }) }]);
    expect(raised(decide(p, { kind: 'refund-booking', refundId: 'ref_1', balance: d('500'), credited: true }))).toEqual([]);
  });

  it('evidence never carries card data', () => {
    const decision = decide(payment('PENDING'), pay('T1', { amount: '1.00', card: { firstSix: '411111', lastFour: '1111', type: 'Visa' } }));
    expect(JSON.stringify(raised(decision))).not.toMatch(/411111|1111"/);
  });
});

describe('a deleted payment', () => {
  it('paid after all: credited, shown again, and the history says so for a person', () => {
    const decision = decide(payment('CANCELLED', { gatewayTransactionId: null, deleted: true }), pay());
    expect(decision.change?.to).toBe('CONFIRMED');
    expect(decision.change?.patch).toMatchObject({ deletedAt: null });
    expect(decision.history[0].text).toMatch(/deleted by staff: shown again/);
    expect(decision.history[0].data).toMatchObject({ undeleted: true });
    expect(decision.attention).toMatch(/deleted by staff/);
    expect(decide(payment('CANCELLED', { gatewayTransactionId: null }), pay()).change?.patch).not.toHaveProperty('deletedAt');
  });
});

describe('money by hand', () => {
  const markPaid: BookInput = { kind: 'mark-paid', reason: 'bank transfer PP-1', documentNumber: 'PP-1', now: NOW };
  const byStaff = (status: PaymentStatus) => payment(status, { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' } });

  describe('markPaymentPaid', () => table([
    ['PENDING', payment('PENDING', { gatewayTransactionId: null }), markPaid, '→ CONFIRMED [credit]'],
    ['CONFIRMED by staff: a retry', byStaff('CONFIRMED'), markPaid, '—'],
    ['CONFIRMED by the gateway', payment('CONFIRMED'), markPaid, 'refused CONFLICT'],
    ['AUTHORIZED', payment('AUTHORIZED'), markPaid, 'refused CONFLICT'],
    ['FAILED: never moved money', payment('FAILED'), markPaid, '→ CONFIRMED [credit]'],
    ['CANCELLED: never moved money', payment('CANCELLED'), markPaid, '→ CONFIRMED [credit]'],
    ['CANCELLED and deleted: shown again', payment('CANCELLED', { deleted: true }), markPaid, '→ CONFIRMED [credit]'],
    ['REFUNDED', payment('REFUNDED'), markPaid, 'refused CONFLICT'],
  ]));

  it('marks the payment as confirmed by staff, with its document, under the staff cause', () => {
    const decision = decide(payment('PENDING', { gatewayTransactionId: null }), markPaid);
    expect(decision.change).toEqual({ to: 'CONFIRMED', cause: 'staff', patch: { confirmedAt: NOW, metadata: { confirmedBy: 'staff' }, failureReason: null, failureCode: null, documentNumber: 'PP-1' } });
    expect(decision.history[0]).toMatchObject({ code: 'MARKED_PAID', data: { reason: 'bank transfer PP-1', documentNumber: 'PP-1' } });
  });

  describe('the gateway\'s money for a payment staff confirmed: a double payment, never credited', () => table([
    ['CONFIRMED by staff: a Pay', byStaff('CONFIRMED'), pay('T5'), 'note DOUBLE_PAYMENT [attention DOUBLE_PAYMENT]'],
    ['CONFIRMED by staff: a hold', byStaff('CONFIRMED'), hold('T5'), 'note DOUBLE_PAYMENT [attention DOUBLE_PAYMENT]'],
    ['PARTIALLY_REFUNDED by staff: a Pay', byStaff('PARTIALLY_REFUNDED'), pay('T5'), 'note DOUBLE_PAYMENT [attention DOUBLE_PAYMENT]'],
    ['CONFIRMED by staff: the same Pay again', payment('CONFIRMED', { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' }, lastEntry: { code: 'DOUBLE_PAYMENT', key: 'confirmed:T5' } }), pay('T5'), '[attention DOUBLE_PAYMENT]'], // the item's dedupe key keeps it one
    ['CONFIRMED by staff: the hold captured after the hold was noted', payment('CONFIRMED', { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' }, lastEntry: { code: 'DOUBLE_PAYMENT', key: 'authorized:T5' } }), pay('T5'), 'note DOUBLE_PAYMENT [attention DOUBLE_PAYMENT]'],
  ]));

  it('a double payment needs a person', () => {
    expect(decide(byStaff('CONFIRMED'), pay('T5')).attention).toMatch(/paid twice/);
  });
});

describe('what staff confirmed, seen by the gateway rules', () => {
  const byStaff = payment('CONFIRMED', { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' } });
  const refunded = (paymentTransactionId: string) => word({ kind: 'refunded', invoiceId: 'pay_1', paymentTransactionId, gatewayRefundId: 'R1', amount: '500.00' });

  it('crypto arriving for it is a possible double payment for a person, not progress', () => {
    const decision = decide(payment('CONFIRMED', { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' } }), word({ kind: 'progress', invoiceId: 'pay_1', note: 'partially paid', details: { receivedCrypto: '1' } }));
    expect(outcome(decision)).toBe('note DOUBLE_PAYMENT [attention DOUBLE_PAYMENT]');
    expect(decision.attention).toMatch(/paying twice/);
  });

  it('a gateway never sets the staff marker through its details', () => {
    const decision = decide(payment('PENDING'), pay('T1', { details: { confirmedBy: 'staff', receivedCrypto: '1' } }));
    expect(decision.change?.patch.metadata).toEqual({ receivedCrypto: '1' });
  });

  it.each([
    ['a payment staff confirmed', byStaff, 'T5'],
    ['a transaction that was not the credited one', payment('CONFIRMED', { gatewayTransactionId: 'T1' }), 'T2'],
  ])('a gateway refund of %s books nothing and asks a person', (_what, p, transactionId) => {
    const decision = decide(p, refunded(transactionId));
    expect(outcome(decision)).toBe('note REFUND_OF_UNCREDITED [attention REFUND_OF_UNCREDITED]');
    expect(decision.attention).toMatch(/not credited/);
  });

  it('a gateway refund of the credited transaction is still booked', () => {
    expect(outcome(decide(payment('CONFIRMED', { gatewayTransactionId: 'T1' }), refunded('T1')))).toBe('[record-refund]');
  });
});

describe('a refund by hand (a payment staff confirmed)', () => {
  const byStaff = payment('CONFIRMED', { gatewayTransactionId: null, metadata: { confirmedBy: 'staff' } });
  const ask = (amount: string | null, balance: string): BookInput => ({ kind: 'refund-request', amount: amount === null ? null : d(amount), refundsSupported: true, gatewayName: 'MANUAL', balance: d(balance) });
  it('never hands back more than the balance holds', () => {
    expect(decide(byStaff, ask(null, '30.00')).refusal).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount', message: expect.stringMatching(/balance holds 30\.00 RUB/) });
    expect(outcome(decide(byStaff, ask('30.00', '30.00')))).toBe('[reserve-refund]');
  });
  it('a gateway refund is not held to the balance (what was spent becomes a shortfall)', () => {
    expect(outcome(decide(payment('CONFIRMED'), ask(null, '0.00')))).toBe('[reserve-refund]');
  });
});

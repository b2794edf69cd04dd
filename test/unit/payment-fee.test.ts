// The gateway's fee (CloudPayments TotalFee), as the book decides it: stored when a Pay or Confirm
// moves the payment, never a reason to refuse one. A bad fee leaves it unknown and says so.
import { decide, type BookInput, type PaymentSnapshot } from '../../src/domain/book';
import { Decimal } from '../../src/domain/money';
import type { PaymentStatus } from '../../src/domain/payment-state';

const NOW = new Date('2026-12-01T12:00:00Z');
const d = (v: string) => new Decimal(v);
function payment(status: PaymentStatus, over: Partial<PaymentSnapshot> = {}): PaymentSnapshot {
  return {
    id: 'pay_1', status, amount: d('500'), currency: 'RUB', clientId: 'client_1', clientActive: true, clientCurrency: 'RUB',
    gatewayTransactionId: status === 'PENDING' ? null : 'T1', authorizedAmount: status === 'AUTHORIZED' ? d('500') : null, captureAmount: null,
    expiresAt: new Date('2026-12-01T13:00:00Z'), failureCode: null, refundedAmount: d('0'), restrictRefund: false, deleted: false,
    metadata: {}, refunds: [], lastEntry: null, environment: 'LIVE', saveCard: false, itemsTotal: null, ...over,
  };
}
const word = (kind: 'confirmed' | 'authorized', over: Record<string, unknown> = {}): BookInput => ({
  kind: 'gateway-event', source: 'callback', now: NOW,
  event: { kind, invoiceId: 'pay_1', accountId: 'client_1', amount: '500.00', currency: 'RUB', transactionId: 'T1', ...over },
});
const feeAfter = (p: PaymentSnapshot, input: BookInput) => {
  const decision = decide(p, input);
  const fee = decision.change?.patch.fee;
  return { to: decision.change?.to, fee: fee === undefined ? 'unchanged' : fee === null ? null : fee.toFixed(), ignored: decision.history[0]?.data?.feeIgnored, effects: decision.effects.map((e) => e.kind) };
};

describe('the gateway fee', () => {
  it.each([
    ['a fee', '12.50', '12.5'],
    ['no fee at all', undefined, 'unchanged'],
    ['a zero fee', '0', '0'],
    ['the whole amount', '500', '500'],
  ])('a Pay with %s confirms and credits, storing it', (_label, fee, stored) => {
    expect(feeAfter(payment('PENDING'), word('confirmed', fee === undefined ? {} : { fee }))).toEqual({ to: 'CONFIRMED', fee: stored, ignored: undefined, effects: ['credit'] });
  });

  it.each([
    ['negative', '-1.00', 'TotalFee negative'],
    ['not a number', 'abc', 'TotalFee not a decimal number'],
    ['an exponent', '1e2', 'TotalFee not a decimal number'],
    ['more decimals than RUB has', '1.005', 'TotalFee more decimals than RUB has'],
    ['above the amount', '500.01', 'TotalFee more than the amount'],
  ])('a Pay with a %s fee still confirms and credits; the fee stays unknown and history says why', (_label, fee, why) => {
    expect(feeAfter(payment('PENDING'), word('confirmed', { fee }))).toEqual({ to: 'CONFIRMED', fee: null, ignored: why, effects: ['credit'] });
  });

  it('a two-stage hold keeps the fee its Pay reports; a whole capture keeps it, a partial one without a fee makes it unknown', () => {
    expect(feeAfter(payment('PENDING'), word('authorized', { fee: '10.00' }))).toMatchObject({ to: 'AUTHORIZED', fee: '10' });
    expect(feeAfter(payment('AUTHORIZED'), word('confirmed'))).toMatchObject({ to: 'CONFIRMED', fee: 'unchanged' });
    expect(feeAfter(payment('AUTHORIZED'), word('confirmed', { amount: '300.00' }))).toMatchObject({ to: 'CONFIRMED', fee: null });
    expect(feeAfter(payment('AUTHORIZED'), word('confirmed', { amount: '300.00', fee: '6.00' }))).toMatchObject({ to: 'CONFIRMED', fee: '6' });
  });

  it('a capture we asked for keeps the hold\'s fee when it takes the whole hold, and makes it unknown when it takes less', () => {
    const answered = (amount: string): BookInput => ({ kind: 'capture-answered', amount: d(amount), ok: true, now: NOW });
    expect(feeAfter(payment('AUTHORIZED', { captureAmount: d('500') }), answered('500'))).toMatchObject({ to: 'CONFIRMED', fee: 'unchanged' });
    expect(feeAfter(payment('AUTHORIZED', { captureAmount: d('300') }), answered('300'))).toMatchObject({ to: 'CONFIRMED', fee: null });
    expect(feeAfter(payment('AUTHORIZED', { captureAmount: d('500'), authorizedAmount: d('500') }), answered('500.00'))).toMatchObject({ fee: 'unchanged' });
  });

  it('reconciliation: the fee the gateway\'s API reports is judged like a Pay\'s', () => {
    const state = (fee?: string): BookInput => ({ kind: 'gateway-state', source: 'reconciliation', now: NOW, state: { status: 'confirmed', transactionId: 'T1', amount: '500.00', currency: 'RUB', ...(fee === undefined ? {} : { fee }) } });
    expect(feeAfter(payment('PENDING'), state('9.99'))).toMatchObject({ to: 'CONFIRMED', fee: '9.99' });
    expect(feeAfter(payment('PENDING'), state('-9.99'))).toMatchObject({ to: 'CONFIRMED', fee: null, ignored: 'TotalFee negative' });
    expect(feeAfter(payment('PENDING'), state())).toMatchObject({ to: 'CONFIRMED', fee: 'unchanged' });
  });

  it('a duplicate Pay changes nothing, whatever fee it names', () => {
    expect(decide(payment('CONFIRMED'), word('confirmed', { fee: '99.00' })).change).toBeNull();
  });
});

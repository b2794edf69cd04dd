// What the gateway says (a verified callback, or its API's answer during reconciliation or
// expiry) and what it means for a payment. Callbacks arrive at least once, late or out of order:
// every rule is idempotent, a duplicate answers success and changes nothing twice.
import type { GatewayEvent, GatewayPaymentState } from '../gateway-events';
import { Decimal, decimalFromText, formatAmount, minorUnits } from '../money';
import { canTransition, CLOSED_UNPAID, OPEN, PAYABLE, SETTLED } from '../payment-state';
import { gatewayMetadata, paidByStaff } from './staff';
import { attention, change, declined, nothing, note, OK } from './decision';
import { refundedAtGateway } from './refunds';
import type { Decision, Effect, PaymentPatch, PaymentSnapshot, SealedCard, Source } from './types';

type Event = Exclude<GatewayEvent, { kind: 'ignored' | 'subscription' | 'receipt' }>;
interface Context { source: Source; now: Date; transactionHeldBy?: string | null; card?: SealedCard }

const HOW: Record<Source, string> = { callback: '', reconciliation: ' (reconciled with the gateway)', expiry: ' (reconciled with the gateway at expiry)', charge: ' (the gateway\'s answer to the charge)' };

export function decideGatewayEvent(p: PaymentSnapshot | null, event: Event, ctx: Context): Decision {
  switch (event.kind) {
    case 'check':
      return check(p, event, ctx.now);
    case 'authorized':
    case 'confirmed':
      return paid(p, event, ctx);
    case 'failed':
      return failed(p, event, ctx);
    case 'cancelled':
      return cancelled(p, event, ctx);
    case 'progress':
      return progress(p, event, ctx);
    case 'refunded':
      return refundedAtGateway(p, event);
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** What the gateway's API says of a payment, as the same rules read it. */
export function decideGatewayState(p: PaymentSnapshot, state: GatewayPaymentState, ctx: Context): Decision {
  const facts = { invoiceId: p.id, accountId: p.clientId };
  switch (state.status) {
    case 'confirmed':
    case 'authorized':
      return paid(p, { kind: state.status, ...facts, amount: state.amount, currency: state.currency, transactionId: state.transactionId, testMode: state.testMode, ...(state.fee !== undefined ? { fee: state.fee } : {}) }, ctx);
    case 'cancelled':
      // The hold we know of was released (a bank or the dashboard voided it).
      return p.status === 'AUTHORIZED' && p.gatewayTransactionId
        ? cancelled(p, { kind: 'cancelled', ...facts, transactionId: p.gatewayTransactionId, amount: p.amount.toFixed() }, ctx)
        : nothing();
    case 'failed':
      return p.status === 'PENDING' && state.transactionId
        ? failed(p, { kind: 'failed', ...facts, amount: p.amount.toFixed(), transactionId: state.transactionId, reason: state.reason, reasonCode: state.reasonCode }, ctx)
        : nothing();
    case 'pending':
    case 'unpaid':
    case 'unknown':
      return nothing();
    default: {
      const exhaustive: never = state;
      return exhaustive;
    }
  }
}

const sameAmount = (p: PaymentSnapshot, amount: string, currency: string | undefined) =>
  p.amount.equals(new Decimal(amount)) && (!currency || currency.toUpperCase() === p.currency);

/** Expired: by us (a CANCELLED payment marked EXPIRED), or past its time while still payable. */
const isExpired = (p: PaymentSnapshot, now: Date) =>
  p.failureCode === 'EXPIRED' || ((p.status === 'PENDING' || p.status === 'FAILED') && p.expiresAt <= now);

/** A Fail or Cancel of an earlier attempt must not touch the hold of a later one. */
const staleForHold = (p: PaymentSnapshot, transactionId: string) =>
  p.status === 'AUTHORIZED' && p.gatewayTransactionId !== null && p.gatewayTransactionId !== transactionId;

/**
 * The gateway says the transaction is a test one (or a real one) and the payment's environment
 * disagrees: test money must never reach a LIVE balance, nor real money a TEST one. Undefined
 * when the gateway did not say, or it agrees.
 */
function wrongCard(p: PaymentSnapshot, testMode: boolean | undefined): 'TEST_CARD_ON_LIVE' | 'LIVE_CARD_ON_TEST' | undefined {
  if (testMode === undefined) return undefined;
  if (testMode && p.environment === 'LIVE') return 'TEST_CARD_ON_LIVE';
  if (!testMode && p.environment === 'TEST') return 'LIVE_CARD_ON_TEST';
  return undefined;
}

function check(p: PaymentSnapshot | null, event: Extract<Event, { kind: 'check' }>, now: Date): Decision {
  if (!p) return nothing(declined('UNKNOWN_INVOICE'));
  if (wrongCard(p, event.testMode)) return nothing(declined('WRONG_ENVIRONMENT'));
  if (!p.clientActive || (event.accountId !== undefined && event.accountId !== p.clientId)) return nothing(declined('ACCOUNT_MISMATCH'));
  if (!sameAmount(p, event.amount, event.currency)) return nothing(declined('AMOUNT_MISMATCH'));
  // A FAILED payment may be retried in the widget until it expires; CANCELLED by expiry answers 20.
  if (isExpired(p, now)) return nothing(declined('EXPIRED'));
  // Deleted by staff: no new payment attempt (a Pay that still comes is booked, see paid()).
  if (p.deleted || !PAYABLE.includes(p.status)) return nothing(declined('NOT_PAYABLE'));
  return nothing(OK);
}

/**
 * What a Pay or Confirm may report: the payment's amount, or for the capture of a hold, any part
 * of what is authorized (the gateway captured it: its word is what gets credited).
 */
function acceptableAmount(p: PaymentSnapshot, event: { kind: 'authorized' | 'confirmed'; amount: string; currency?: string }): boolean {
  if (event.currency && event.currency.toUpperCase() !== p.currency) return false;
  if (event.kind === 'confirmed' && p.status === 'AUTHORIZED') {
    const amount = new Decimal(event.amount);
    return amount.gt(0) && amount.lte(p.authorizedAmount ?? p.amount);
  }
  return sameAmount(p, event.amount, event.currency);
}

/** Facts that do not stop a payment but that a person should see (recorded in its history). */
function oddities(p: PaymentSnapshot, event: { accountId?: string; currency?: string }): string[] {
  const notes: string[] = [];
  if (event.accountId !== undefined && event.accountId !== p.clientId) notes.push(`the gateway names account ${event.accountId.slice(0, 128)}, not client ${p.clientId}`);
  if (!event.currency) notes.push('the gateway did not state the currency');
  return notes;
}

function paid(p: PaymentSnapshot | null, event: Extract<Event, { kind: 'authorized' | 'confirmed' }>, ctx: Context): Decision {
  if (!p) {
    const text = `money taken for unknown invoice ${event.invoiceId ?? '(none)'} (transaction ${event.transactionId}): manual handling`;
    return attention(text, OK, { kind: 'UNKNOWN_INVOICE', key: event.transactionId, evidence: {
      summary: text, invoiceId: event.invoiceId?.slice(0, 128) ?? null, transactionId: event.transactionId, amount: event.amount, currency: event.currency ?? null,
      accountId: event.accountId?.slice(0, 128) ?? null,
    } });
  }
  const data = { transactionId: event.transactionId };
  const reported = { transactionId: event.transactionId, amount: event.amount, currency: event.currency ?? null };
  const wrong = wrongCard(p, event.testMode);
  if (wrong) {
    // Answered as handled (the gateway must stop sending it), credited never: a person settles it.
    const text = wrong === 'TEST_CARD_ON_LIVE'
      ? `a test transaction ${event.transactionId} paid this LIVE payment: not credited, manual handling (check the gateway's test mode)`
      : `a real (non-test) transaction ${event.transactionId} paid this TEST payment: not credited, manual handling (refund it at the gateway)`;
    return shownAgain(p, note(p, { code: wrong, text, key: event.transactionId, data }, { needsPerson: { kind: wrong, key: event.transactionId, evidence: reported } }));
  }
  if (paidByStaff(p)) {
    // Staff confirmed it (the money came another way), and now the gateway took (or holds) money too.
    const [took, undo] = event.kind === 'authorized' ? ['holds', 'void it at the gateway'] : ['took', 'refund it at the gateway, or credit it by hand'];
    const text = `the client paid twice: the gateway ${took} ${event.amount} ${event.currency ?? ''} (transaction ${event.transactionId}) for a payment staff had marked paid: not credited; ${undo}`;
    return note(p, { code: 'DOUBLE_PAYMENT', text, key: `${event.kind}:${event.transactionId}`, data: { ...data, amount: event.amount, ...(event.currency ? { currency: event.currency } : {}) } },
      { needsPerson: { kind: 'DOUBLE_PAYMENT', key: `${event.kind}:${event.transactionId}`, evidence: reported } });
  }
  if (!acceptableAmount(p, event)) {
    const text = `gateway reports ${event.amount} ${event.currency ?? ''} for a ${formatAmount(p.amount, p.currency)} ${p.currency} payment: not applied, manual handling`;
    const evidence = { ...reported, expectedAmount: formatAmount(p.amount, p.currency), expectedCurrency: p.currency };
    return shownAgain(p, note(p, { code: 'AMOUNT_MISMATCH', text, key: `${event.amount} ${event.currency ?? ''}`, data }, { needsPerson: { kind: 'AMOUNT_MISMATCH', key: event.transactionId, evidence } }));
  }
  if (p.gatewayTransactionId && p.gatewayTransactionId !== event.transactionId && (SETTLED.includes(p.status) || p.status === 'AUTHORIZED')) {
    const text = `second payment ${event.transactionId} for an invoice already paid by ${p.gatewayTransactionId}: refund it manually`;
    const evidence = { ...reported, paidByTransactionId: p.gatewayTransactionId };
    return shownAgain(p, note(p, { code: 'SECOND_PAYMENT', text, key: event.transactionId, data }, { needsPerson: { kind: 'DOUBLE_PAYMENT', key: event.transactionId, evidence } }));
  }
  const to = event.kind === 'confirmed' ? 'CONFIRMED' : 'AUTHORIZED';
  // A retried Pay for the very transaction that was since declined or voided is stale.
  const closedTransaction = CLOSED_UNPAID.includes(p.status) && p.gatewayTransactionId === event.transactionId;
  if (closedTransaction || p.status === to || SETTLED.includes(p.status) || !canTransition(p.status, to, 'gateway')) {
    // A duplicate, or already further along. Reconciliation or expiry may have booked this very
    // transaction before its Pay came with the token: the payer's consent still stands.
    const late = !closedTransaction && p.gatewayTransactionId === event.transactionId && (p.status === 'AUTHORIZED' || SETTLED.includes(p.status));
    const card = late ? cardToSave(p, event, ctx) : undefined;
    return card ? { ...nothing(), effects: [{ kind: 'save-card', card, keepDeleted: true }] } : nothing();
  }
  // The gateway names two payments with one transaction: apply neither twice; a person decides.
  if (ctx.transactionHeldBy && event.transactionId !== p.gatewayTransactionId) {
    const text = `transaction ${event.transactionId} is already recorded for payment ${ctx.transactionHeldBy}: not applied, manual handling`;
    const evidence = { ...reported, heldByPaymentId: ctx.transactionHeldBy };
    return shownAgain(p, note(p, { code: 'TRANSACTION_HELD_ELSEWHERE', text, key: event.transactionId, data }, { needsPerson: { kind: 'TRANSACTION_HELD_ELSEWHERE', key: event.transactionId, evidence } }));
  }
  const revived = CLOSED_UNPAID.includes(p.status);
  const captured = to === 'CONFIRMED' && p.status === 'AUTHORIZED';
  const authorized = p.authorizedAmount ?? p.amount;
  const notes = oddities(p, event);
  if (captured && p.captureAmount && !p.captureAmount.equals(event.amount)) {
    notes.push(`${formatAmount(p.captureAmount, p.currency)} was asked for; the gateway captured ${event.amount}`);
  }
  const unmatched = captured ? itemsNoLongerAddUp(p, new Decimal(event.amount)) : null;
  if (unmatched) notes.push(unmatched);
  const text = revived
    ? `${to === 'CONFIRMED' ? 'paid' : 'authorized'} after the payment was ${p.status === 'FAILED' ? 'declined' : p.failureCode === 'EXPIRED' ? 'expired' : 'cancelled'}: the gateway took the money, so it stands`
    : captured ? `captured ${event.amount} of ${formatAmount(authorized, p.currency)} authorized`
    : to === 'CONFIRMED' ? `paid${event.note ? `; ${event.note}` : ''}` : 'authorized (two-stage)';
  const amount = new Decimal(event.amount);
  const fee = feeOf(p, event, captured ? amount : null);
  const patch: PaymentPatch = {
    gatewayTransactionId: event.transactionId,
    ...(event.details ? { metadata: gatewayMetadata(event.details) } : {}),
    ...(revived ? { failureReason: null, failureCode: null } : {}),
    ...(p.deleted ? { deletedAt: null } : {}),
    ...(to === 'CONFIRMED' ? { confirmedAt: ctx.now } : { authorizedAt: ctx.now, authorizedAmount: amount, captureAmount: null, capturedAmount: null }),
    ...(captured ? { amount, capturedAmount: amount } : {}),
    ...(fee.value !== undefined ? { fee: fee.value } : {}),
  };
  const code = revived ? 'PAID_AFTER_CLOSE' : captured ? 'CAPTURED' : to === 'CONFIRMED' ? 'PAID' : 'AUTHORIZED';
  if (p.deleted) notes.push('it had been deleted by staff: shown again');
  const saved = cardToSave(p, event, ctx);
  if (p.saveCard && ctx.card && !saved) notes.push('card not saved: the gateway names another account');
  const entryData = { ...data, ...(saved ? { cardSaved: true } : {}), ...(p.deleted ? { undeleted: true } : {}), ...(event.card ? { card: { ...event.card } } : {}), ...(event.testMode ? { testMode: true } : {}), ...(event.details ?? {}), ...(fee.ignored ? { feeIgnored: fee.ignored } : {}), ...(notes.length ? { notes } : {}) };
  const effects: Effect[] = [...(to === 'CONFIRMED' ? [{ kind: 'credit' } as const] : []), ...(saved ? [{ kind: 'save-card', card: saved } as const] : [])];
  return change({ to, cause: 'gateway', patch }, { code, text: text + notes.map((n) => `; ${n}`).join('') + HOW[ctx.source], data: entryData }, effects,
    { attention: notes.length ? notes.join('; ') : null });
}

/**
 * The card to keep: only with the payer's consent (a token the gateway issued anyway is dropped),
 * and only for the payment's own client (a Pay naming another account saves nothing).
 */
function cardToSave(p: PaymentSnapshot, event: { accountId?: string }, ctx: Context): SealedCard | undefined {
  if (!p.saveCard || !ctx.card) return undefined;
  return event.accountId !== undefined && event.accountId !== p.clientId ? undefined : ctx.card;
}

/**
 * The gateway's fee as a Pay or Confirm reports it (CloudPayments TotalFee): a decimal of at most
 * the currency's decimals, from zero to the amount. Anything else is recorded as ignored and the
 * fee stays unknown: the money was taken, so a bad fee never stops a payment. Undefined: leave
 * the stored fee (the event names none), except that a capture of another amount than the hold
 * makes the hold's fee unknown.
 */
export function feeOf(p: PaymentSnapshot, event: { fee?: string; amount: string }, captured: Decimal | null): { value?: Decimal | null; ignored?: string } {
  if (event.fee === undefined) return captured && !captured.equals(p.authorizedAmount ?? p.amount) ? { value: null } : {};
  const fee = decimalFromText(event.fee);
  const amount = new Decimal(event.amount);
  const problem = !fee ? 'not a decimal number'
    : fee.isNegative() ? 'negative'
    : fee.decimalPlaces() > minorUnits(p.currency) ? `more decimals than ${p.currency} has`
    : fee.gt(amount) ? 'more than the amount'
    : null;
  return problem ? { value: null, ignored: `TotalFee ${problem}` } : { value: fee };
}

/**
 * A capture of another amount than the payment's items add up to (the gateway captured it: its
 * word stands): its receipt cannot be made from them as they are, a person must see to it.
 */
export function itemsNoLongerAddUp(p: PaymentSnapshot, captured: Decimal): string | null {
  if (!p.itemsTotal || p.itemsTotal.equals(captured)) return null;
  return `the items add up to ${formatAmount(p.itemsTotal, p.currency)} ${p.currency}, not the ${formatAmount(captured, p.currency)} captured: the receipt needs a person`;
}

/** Money reported for a deleted payment that needs a person: the payment is shown again, with the note. */
function shownAgain(p: PaymentSnapshot, d: Decision): Decision {
  return p.deleted && !d.change && d.history.length ? { ...d, change: { cause: 'gateway', patch: { deletedAt: null } } } : d;
}

function failed(p: PaymentSnapshot | null, event: Extract<Event, { kind: 'failed' }>, ctx: Context): Decision {
  if (!p) return attention(`decline for unknown invoice ${event.invoiceId ?? '(none)'}`);
  // A late Fail never undoes a Pay; a repeated Fail changes nothing.
  if (!OPEN.includes(p.status) || staleForHold(p, event.transactionId)) return nothing();
  // The declined transaction is recorded, so a Pay retried for it later is known as stale.
  const patch: PaymentPatch = { failureReason: event.reason, failureCode: event.reasonCode ?? null, ...(ctx.transactionHeldBy ? {} : { gatewayTransactionId: event.transactionId }) };
  const text = `declined: ${event.reason}${event.reasonCode ? ` (${event.reasonCode})` : ''}${HOW[ctx.source]}`;
  return change({ to: 'FAILED', cause: 'gateway', patch }, { code: 'DECLINED', text, data: { transactionId: event.transactionId, ...(event.card ? { card: { ...event.card } } : {}) } },
    [{ kind: 'emit', event: 'PAYMENT_FAILED', extra: { reason: text } }]);
}

function cancelled(p: PaymentSnapshot | null, event: Extract<Event, { kind: 'cancelled' }>, ctx: Context): Decision {
  if (!p) return attention(`cancel for unknown invoice ${event.invoiceId ?? '(none)'}`);
  if (!OPEN.includes(p.status) || staleForHold(p, event.transactionId)) return nothing();
  const text = `cancelled at the gateway${HOW[ctx.source]}`;
  return change({ to: 'CANCELLED', cause: 'gateway', patch: {} }, { code: 'CANCELLED_AT_GATEWAY', text, data: { transactionId: event.transactionId } },
    [{ kind: 'emit', event: 'PAYMENT_CANCELLED', extra: { reason: text } }]);
}

/** Money on its way but not enough yet (a partial crypto payment): news once, no money moves. */
function progress(p: PaymentSnapshot | null, event: Extract<Event, { kind: 'progress' }>, ctx: Context): Decision {
  if (!p) return attention(`${event.note} for unknown invoice ${event.invoiceId ?? '(none)'}`);
  const key = JSON.stringify(event.details);
  if (paidByStaff(p)) {
    const text = `money is arriving at the gateway (${event.note}) for a payment staff had marked paid: the client may be paying twice; not credited`;
    return note(p, { code: 'DOUBLE_PAYMENT', text, key: `progress:${key}`, data: event.details }, { needsPerson: { kind: 'DOUBLE_PAYMENT', key: `progress:${key}`, evidence: { ...event.details } } });
  }
  if (p.lastEntry?.code === 'PROGRESS' && p.lastEntry.key === key) return nothing();
  return change({ cause: 'gateway', patch: { metadata: gatewayMetadata(event.details) } }, { code: 'PROGRESS', text: `${event.note}${HOW[ctx.source]}`, key, data: event.details });
}

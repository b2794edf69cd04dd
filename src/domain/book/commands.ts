// What staff and Paygate itself ask of a payment: capture and void a hold, cancel, expire, close
// a payment that got no payment page, and credit a confirmed one. The gateway's answer to a
// capture or void comes back here too; the gateway's word decides.
import { Decimal, formatAmount } from '../money';
import { DELETABLE, REFUNDABLE, SETTLED } from '../payment-state';
import { ask, badInput, change, nothing, note, refuse } from './decision';
import { feeOf, itemsNoLongerAddUp } from './gateway-word';
import type { Decision, HistoryCode, PaymentPatch, PaymentSnapshot } from './types';

/**
 * Capturing all or part of a hold. The amount is recorded before the gateway is asked, so a retry
 * (after a timeout) must ask for the same amount, and a capture of another amount is refused.
 */
export function decideCapture(p: PaymentSnapshot, requested: Decimal | null): Decision {
  if (SETTLED.includes(p.status)) return nothing(); // already captured
  if (p.status !== 'AUTHORIZED') return badInput(`payment ${p.id} is ${p.status}: only an AUTHORIZED payment can be captured`, 'id');
  const authorized = p.authorizedAmount ?? p.amount;
  const amount = requested ?? authorized;
  const shown = (d: Decimal) => formatAmount(d, p.currency);
  if (amount.gt(authorized)) return badInput(`cannot capture ${shown(amount)}: ${shown(authorized)} ${p.currency} is authorized`, 'amount');
  if (p.itemsTotal && !amount.equals(p.itemsTotal)) {
    return badInput(`cannot capture ${shown(amount)}: the payment's items add up to ${shown(p.itemsTotal)} ${p.currency} and its receipt is made from them; capture the whole hold or void it`, 'amount');
  }
  if (p.captureAmount && !p.captureAmount.equals(amount)) {
    return refuse({
      code: 'CONFLICT',
      message: `a capture of ${shown(p.captureAmount)} ${p.currency} was already asked of the gateway for payment ${p.id}: ` +
        'capture that amount again to finish it (safe to retry), or reconcilePayment to ask the gateway what it did',
      details: { captureAmount: shown(p.captureAmount) },
    });
  }
  if (p.captureAmount) return { ...nothing(), effects: [ask('capture', amount)] };
  return change({ cause: 'api', patch: { captureAmount: amount } }, { code: 'CAPTURE_ASKED', text: `capture of ${shown(amount)} ${p.currency} asked of the gateway` }, [ask('capture', amount)]);
}

export function decideCaptureAnswer(p: PaymentSnapshot, input: { amount: Decimal; ok: boolean; reason?: string; now: Date }): Decision {
  if (!input.ok) {
    // Refused means nothing was captured: another amount may be tried.
    const entry = { code: 'CAPTURE_REFUSED' as const, text: `capture refused by the gateway: ${input.reason}` };
    const recorded = p.status === 'AUTHORIZED' ? change({ cause: 'api', patch: { captureAmount: null } }, entry) : note(p, entry);
    return { ...recorded, refusal: { code: 'BAD_USER_INPUT', message: `the gateway refused the capture: ${input.reason}`, field: 'id' } };
  }
  if (p.status !== 'AUTHORIZED') return nothing(); // its Confirm notification came first
  const authorized = p.authorizedAmount ?? p.amount;
  const partial = input.amount.lt(authorized) ? ` (${formatAmount(input.amount, p.currency)} of ${formatAmount(authorized, p.currency)} authorized; the rest is released)` : '';
  // The hold's fee was for the whole hold: a capture of less leaves the fee unknown.
  const fee = feeOf(p, { amount: input.amount.toFixed() }, input.amount);
  const unmatched = itemsNoLongerAddUp(p, input.amount);
  return change(
    { to: 'CONFIRMED', cause: 'gateway', patch: { confirmedAt: input.now, amount: input.amount, capturedAmount: input.amount, ...(fee.value !== undefined ? { fee: fee.value } : {}) } },
    { code: 'CAPTURED', text: `captured${partial}${unmatched ? `; ${unmatched}` : ''}`, ...(unmatched ? { data: { notes: [unmatched] } } : {}) },
    [{ kind: 'credit' }],
    { attention: unmatched },
  );
}

export function decideVoid(p: PaymentSnapshot): Decision {
  if (p.status === 'CANCELLED') return nothing(); // already released
  if (p.status !== 'AUTHORIZED') {
    return badInput(`payment ${p.id} is ${p.status}: only an AUTHORIZED payment can be voided${p.status === 'CONFIRMED' ? '; refund it instead' : ''}`, 'id');
  }
  return { ...nothing(), effects: [ask('void')] };
}

export function decideVoidAnswer(p: PaymentSnapshot, input: { ok: boolean; reason?: string }): Decision {
  if (!input.ok) {
    return { ...note(p, { code: 'VOID_REFUSED', text: `void refused by the gateway: ${input.reason}` }), refusal: { code: 'BAD_USER_INPUT', message: `the gateway refused the void: ${input.reason}`, field: 'id' } };
  }
  if (p.status !== 'AUTHORIZED') return nothing();
  const text = 'authorization voided: the held money is released';
  return change({ to: 'CANCELLED', cause: 'gateway', patch: { failureCode: 'VOIDED', failureReason: 'authorization voided' } }, { code: 'VOIDED', text },
    [{ kind: 'emit', event: 'PAYMENT_CANCELLED', extra: { reason: text } }]);
}

/** A PENDING payment is closed here and its page cancelled at the gateway; a hold is voided instead. */
export function decideCancel(p: PaymentSnapshot): Decision {
  if (p.status === 'CANCELLED') return nothing();
  if (p.status === 'AUTHORIZED') return decideVoid(p); // the money is held at the gateway: cancelling is releasing it
  if (p.status !== 'PENDING') {
    return badInput(`payment ${p.id} is ${p.status} and cannot be cancelled${REFUNDABLE.includes(p.status) ? '; refund it instead' : ''}`, 'id');
  }
  return cancelledHere('CANCELLED_BY_API', 'cancelled by the API');
}

/** A PENDING payment closed here (its page at the gateway cancelled after commit), told to partners. */
function cancelledHere(code: HistoryCode, text: string, patch: PaymentPatch = {}): Decision {
  return change({ to: 'CANCELLED', cause: 'api', patch: { failureCode: 'CANCELLED', failureReason: text, ...patch } }, { code, text },
    [{ kind: 'emit', event: 'PAYMENT_CANCELLED', extra: { reason: text } }, ask('cancel-page')]);
}

/**
 * deletePayments: hides a payment that never moved money, never destroys it. A PENDING one is
 * cancelled first (here, then its page at the gateway); if the gateway's Pay still comes, the
 * payment is paid, credited and shown again (gateway-word.ts).
 */
export function decideDelete(p: PaymentSnapshot, now: Date): Decision {
  if (p.deleted) return nothing();
  if (!DELETABLE.includes(p.status)) {
    return refuse({ code: 'CONFLICT', message: `payment ${p.id} is ${p.status}: a payment that moved money is never deleted${REFUNDABLE.includes(p.status) ? '; refund it instead' : ''}`, field: 'ids' });
  }
  if (p.status === 'PENDING') return cancelledHere('DELETED', 'cancelled and deleted by staff', { deletedAt: now });
  return change({ cause: 'api', patch: { deletedAt: now } }, { code: 'DELETED', text: 'deleted by staff' });
}

/** Expiry closes what is still PENDING once the gateway has been asked (or cannot be). */
export function decideExpiry(p: PaymentSnapshot, reason = 'expired unpaid'): Decision {
  if (p.status !== 'PENDING') return nothing();
  return change({ to: 'CANCELLED', cause: 'system', patch: { failureCode: 'EXPIRED', failureReason: 'the payment expired before it was paid' } }, { code: 'EXPIRED', text: reason },
    [{ kind: 'emit', event: 'PAYMENT_CANCELLED', extra: { reason } }]);
}

/** A payer at the 3-D Secure step when time ran out gets this long to finish. */
export const AUTHENTICATION_GRACE_MS = 15 * 60_000;

/** The gateway reports the payment still under way: keep it open a little longer, or close it. */
export const keepForAuthentication = (p: PaymentSnapshot, now: Date) => now.getTime() - p.expiresAt.getTime() < AUTHENTICATION_GRACE_MS;

/** No payment page: nobody can pay it, so it is not left PENDING. */
export function decideNoPaymentPage(p: PaymentSnapshot, reason: string): Decision {
  if (p.status !== 'PENDING') return nothing();
  const text = `gateway error: ${reason}`;
  return change({ to: 'FAILED', cause: 'system', patch: { failureReason: reason, failureCode: 'GATEWAY_ERROR' } }, { code: 'NO_PAYMENT_PAGE', text },
    [{ kind: 'emit', event: 'PAYMENT_FAILED', extra: { reason: text } }]);
}

/** A saved card deleted or expired before its charge was sent: nothing was charged, the payment fails. */
export function decideNotCharged(p: PaymentSnapshot, reason: string): Decision {
  if (p.status !== 'PENDING') return nothing();
  const text = `not charged: ${reason}`;
  return change({ to: 'FAILED', cause: 'system', patch: { failureReason: reason, failureCode: 'CARD_UNAVAILABLE' } }, { code: 'NOT_CHARGED', text },
    [{ kind: 'emit', event: 'PAYMENT_FAILED', extra: { reason: text } }]);
}

/** A confirmed payment is booked on the client's balance: exactly its amount, once (the ledger's unique key). */
export function decideCredit(p: PaymentSnapshot): Decision {
  if (!SETTLED.includes(p.status)) throw new Error(`payment ${p.id} is ${p.status}, not confirmed: nothing to credit`);
  // A balance holds one currency: money in another is never added to it as if it were the same.
  if (p.clientCurrency !== p.currency) {
    const text = `${formatAmount(p.amount, p.currency)} ${p.currency} paid, but client ${p.clientId} keeps its balance in ${p.clientCurrency ?? '(no client)'}: not credited, manual handling`;
    const evidence = { amount: formatAmount(p.amount, p.currency), currency: p.currency, clientId: p.clientId, clientCurrency: p.clientCurrency };
    return note(p, { code: 'CURRENCY_MISMATCH', text, key: p.clientCurrency ?? '' }, { needsPerson: { kind: 'CURRENCY_MISMATCH', key: p.clientCurrency ?? '-', evidence } });
  }
  return { ...nothing(), effects: [{ kind: 'post', ledgerKind: 'TOP_UP', amount: p.amount, reason: `top-up ${p.id}` }, { kind: 'emit', event: 'PAYMENT_RECEIVED', withBalance: true }] };
}

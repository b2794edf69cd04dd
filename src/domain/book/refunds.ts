// Refunds: what is left to give back (one definition for each meaning), asking for a refund, the
// gateway's answer, a refund the gateway reports on its own, and booking one on the balance.
import type { GatewayEvent } from '../gateway-events';
import { Decimal, formatAmount } from '../money';
import { REFUNDABLE, SETTLED } from '../payment-state';
import { paidByStaff, refundsByHand } from './staff';
import { ask, attention, badInput, change, nothing, note, raise, RETRY } from './decision';
import type { Decision, Effect, PaymentSnapshot, RefundSnapshot } from './types';

const settle = (refundId: string, gatewayRefundId: string | null): Effect => ({ kind: 'settle-refund', refundId, gatewayRefundId, status: 'SUCCEEDED' });

const sum = (refunds: readonly RefundSnapshot[]) => refunds.reduce((total, r) => total.plus(r.amount), new Decimal(0));

/** What may still be asked for: the amount less every refund not refused (asked for or done). */
export const leftToAsk = (p: PaymentSnapshot) => p.amount.minus(sum(p.refunds.filter((r) => r.status !== 'FAILED')));

/** What the gateway can still give back, by its own word: the amount less the refunds it made. */
export const leftAtGateway = (p: PaymentSnapshot) => p.amount.minus(sum(p.refunds.filter((r) => r.status === 'SUCCEEDED')));

/** After a refund of `amount` is booked: REFUNDED when the bookings reach the amount. */
export const statusAfterBooking = (p: PaymentSnapshot, amount: Decimal) => (p.refundedAmount.plus(amount).gte(p.amount) ? 'REFUNDED' : 'PARTIALLY_REFUNDED');

/** What a refund call tells its caller about a refund: settled or not, and in what words. */
export function refundAnswer(r: { readonly status: RefundSnapshot['status']; readonly failureReason: string | null }) {
  return {
    waiting: r.status === 'PENDING',
    success: r.status === 'SUCCEEDED',
    message: r.status === 'FAILED' ? `the gateway refused the refund: ${r.failureReason}` : r.status === 'PENDING' ? 'waiting for the gateway' : null,
  };
}

/** `balance`: the client's balance now, read for a refund handed back by hand (see staff.ts). */
export function decideRefundRequest(p: PaymentSnapshot, input: { amount: Decimal | null; refundsSupported: boolean; gatewayName: string; balance?: Decimal }): Decision {
  // Money only held (two-stage) is not refunded but released: nothing was charged.
  if (p.status === 'AUTHORIZED') {
    const held = p.authorizedAmount ?? p.amount;
    if (input.amount && !input.amount.equals(held)) {
      return badInput(`payment ${p.id} is only authorized: void it whole, or capture what you keep with capturePayment(amount)`, 'amount');
    }
    return { ...nothing(), effects: [ask('void')] };
  }
  if (!input.refundsSupported) return badInput(`refunds are not supported by ${input.gatewayName}; return the money outside Paygate`, 'transactionId');
  if (p.restrictRefund) return badInput(`refunds of payment ${p.id} are restricted`, 'transactionId');
  if (!REFUNDABLE.includes(p.status)) return badInput(`payment ${p.id} is ${p.status}: only CONFIRMED or PARTIALLY_REFUNDED payments can be refunded`, 'transactionId');
  const left = leftToAsk(p);
  if (left.lte(0)) return badInput(`payment ${p.id} has nothing left to refund`, 'amount');
  const amount = input.amount ?? left;
  if (amount.gt(left)) {
    return badInput(`refund of ${formatAmount(amount, p.currency)} exceeds what is left to refund (${formatAmount(left, p.currency)} ${p.currency})`, 'amount');
  }
  // Cash handed back must still be on the balance: a refund by hand is never booked as a shortfall
  // (a racing debit can still make one; the booking records it for staff).
  if (refundsByHand(p) && input.balance && amount.gt(input.balance)) {
    return badInput(`the client's balance holds ${formatAmount(input.balance, p.currency)} ${p.currency}: a refund by hand of ${formatAmount(amount, p.currency)} would hand back money already spent; refund at most the balance`, 'amount');
  }
  return { ...nothing(), effects: [{ kind: 'reserve-refund', amount }] };
}

/** The gateway answered our refund call. A notification may have settled it first. */
export function decideRefundAnswer(p: PaymentSnapshot, input: { refundId: string; ok: boolean; gatewayRefundId?: string; reason?: string }): Decision {
  const refund = p.refunds.find((r) => r.id === input.refundId);
  if (!refund) throw new Error(`refund ${input.refundId} is not a refund of ${p.id}`);
  if (refund.status !== 'PENDING') {
    if (!input.ok || !refund.gatewayRefundId || refund.gatewayRefundId === input.gatewayRefundId) return nothing();
    const text = `the gateway answered refund ${refund.id} with ${input.gatewayRefundId}, but ${refund.gatewayRefundId} was booked: manual handling`;
    return attention(text, undefined, { kind: 'REFUND_MISMATCH', key: `${refund.id}:${input.gatewayRefundId}`, refundId: refund.id, evidence: {
      summary: text, refundId: refund.id, answeredGatewayRefundId: input.gatewayRefundId ?? null, bookedGatewayRefundId: refund.gatewayRefundId,
    } });
  }
  return input.ok
    ? { ...nothing(), effects: [settle(refund.id, input.gatewayRefundId ?? null)] }
    : { ...nothing(), effects: [{ kind: 'fail-refund', refundId: refund.id, reason: input.reason ?? 'refused', status: 'FAILED' }] };
}

/**
 * The gateway says money went back. Ours (matched by the refund id we sent, or by the gateway's
 * refund id, and by the amount): settle it if our own call has not yet. Unknown: a refund made in
 * the gateway's dashboard, booked like ours.
 */
export function refundedAtGateway(p: PaymentSnapshot | null, event: Extract<GatewayEvent, { kind: 'refunded' }>): Decision {
  if (!p) return attention(`refund ${event.gatewayRefundId} of an unknown payment (transaction ${event.paymentTransactionId})`);
  const amount = new Decimal(event.amount);
  const data = { gatewayRefundId: event.gatewayRefundId };
  const ours = p.refunds.find((r) => r.id === event.refundId) ?? p.refunds.find((r) => r.gatewayRefundId === event.gatewayRefundId);
  if (ours && !ours.amount.equals(amount)) {
    const text = `gateway reports refund ${event.gatewayRefundId} of ${event.amount} for our refund ${ours.id} of ${formatAmount(ours.amount, p.currency)}: not booked, manual handling`;
    const evidence = { ...data, refundId: ours.id, reportedAmount: event.amount, refundAmount: formatAmount(ours.amount, p.currency), currency: p.currency };
    return note(p, { code: 'REFUND_AMOUNT_MISMATCH', text, key: event.gatewayRefundId, data: { ...data, refundId: ours.id } }, { needsPerson: { kind: 'REFUND_MISMATCH', key: event.gatewayRefundId, evidence } });
  }
  if (ours) {
    if (ours.status === 'SUCCEEDED') return nothing();
    // PENDING: the notification beat our own call's answer. FAILED: we took a timeout or refusal
    // for the answer, but the gateway did refund: its word wins, if our books can still take it.
    if (ours.status === 'FAILED' && leftAtGateway(p).lt(ours.amount)) {
      const text = `gateway reports refund ${ours.id} done after it was recorded as failed, but it exceeds what is left of ${p.id}: manual handling`;
      const evidence = { ...data, refundId: ours.id, amount: event.amount, left: formatAmount(leftAtGateway(p), p.currency), currency: p.currency };
      return note(p, { code: 'REFUND_EXCEEDS_LEFT', text, key: event.gatewayRefundId, data: { ...data, refundId: ours.id } }, { needsPerson: { kind: 'REFUND_EXCEEDS', key: event.gatewayRefundId, evidence } });
    }
    return { ...nothing(), effects: [settle(ours.id, event.gatewayRefundId)] };
  }
  // A refund of a transaction that was never credited (a double or second payment) leaves the
  // credit alone: staff refunded the extra money, as its note asked.
  const credited = paidByStaff(p) ? null : p.gatewayTransactionId;
  if (paidByStaff(p) || (credited && event.paymentTransactionId !== credited)) {
    const whose = credited ? `the credited one is ${credited}` : 'staff confirmed this payment, no gateway transaction was credited';
    const text = `gateway refund ${event.gatewayRefundId} of ${event.amount} returns transaction ${event.paymentTransactionId}, which was not credited (${whose}): nothing booked, the balance keeps its credit`;
    return note(p, { code: 'REFUND_OF_UNCREDITED', text, key: event.gatewayRefundId, data: { ...data, paymentTransactionId: event.paymentTransactionId } },
      { needsPerson: { kind: 'REFUND_OF_UNCREDITED', key: event.gatewayRefundId, evidence: { gatewayRefundId: event.gatewayRefundId, paymentTransactionId: event.paymentTransactionId, amount: event.amount } } });
  }
  // Money can only go back once the payment is settled here: if its Pay is still on its way,
  // ask the gateway to send this again later.
  if (!SETTLED.includes(p.status)) {
    return attention(`refund ${event.gatewayRefundId} arrived before payment ${p.id} was settled (${p.status}); the gateway will retry`, RETRY);
  }
  // A refund of ours whose answer and id never came back (a timeout) looks like this one.
  const timedOut = p.refunds.find((r) => r.status === 'PENDING' && !r.gatewayRefundId && r.amount.equals(amount));
  if (timedOut) return { ...nothing(), effects: [settle(timedOut.id, event.gatewayRefundId)] };
  // The gateway's word counts against what it has refunded, not against our pending requests:
  // those will be refused by the gateway if this one used up the payment.
  const left = leftAtGateway(p);
  if (amount.gt(left)) {
    const text = `gateway refund ${event.gatewayRefundId} of ${event.amount} exceeds what is left of payment ${p.id} (${formatAmount(left, p.currency)}): manual handling`;
    const evidence = { ...data, amount: event.amount, left: formatAmount(left, p.currency), currency: p.currency };
    return note(p, { code: 'REFUND_EXCEEDS_LEFT', text, key: event.gatewayRefundId, data }, { needsPerson: { kind: 'REFUND_EXCEEDS', key: event.gatewayRefundId, evidence } });
  }
  return { ...nothing(), effects: [{ kind: 'record-refund', amount, gatewayRefundId: event.gatewayRefundId, status: 'SUCCEEDED' }] };
}

/**
 * Books a refund the gateway accepted: the payment's status, and the debit of the client's
 * balance. What the balance cannot cover (already spent) is the refund's shortfall, for manual
 * handling: the balance never goes below zero.
 */
export function decideRefundBooking(p: PaymentSnapshot, input: { refundId: string; balance: Decimal; credited: boolean }): Decision {
  const refund = p.refunds.find((r) => r.id === input.refundId);
  if (!refund) throw new Error(`refund ${input.refundId} is not a refund of ${p.id}`);
  // The credit is booked by its own job; a refund booked before it would get the shortfall wrong.
  if (!input.credited) throw new Error(`payment ${p.id} is not credited yet; refund ${refund.id} waits`);
  const debit = Decimal.min(input.balance, refund.amount);
  const shortfall = refund.amount.minus(debit);
  const shown = (d: Decimal) => formatAmount(d, p.currency);
  const spent = shortfall.gt(0) ? `; ${shown(shortfall)} already spent: shortfall for manual handling` : '';
  return change(
    { to: statusAfterBooking(p, refund.amount), cause: 'system', patch: { refundedAmount: p.refundedAmount.plus(refund.amount) } },
    { code: 'REFUND_BOOKED', text: `refund ${refund.id} of ${shown(refund.amount)} ${p.currency}${spent}`, data: { refundId: refund.id, shortfall: shortfall.toFixed() } },
    [
      ...(debit.gt(0) ? [{ kind: 'post' as const, ledgerKind: 'REFUND' as const, amount: debit.negated(), refundId: refund.id, reason: refund.reason ?? `refund of ${p.id}` }] : []),
      { kind: 'set-shortfall', refundId: refund.id, shortfall },
      ...(shortfall.gt(0) ? [raise({ kind: 'SHORTFALL', key: refund.id, refundId: refund.id, evidence: {
        summary: `refund ${refund.id}: ${shown(shortfall)} ${p.currency} of ${shown(refund.amount)} could not be taken back (already spent)`,
        refundId: refund.id, amount: shown(refund.amount), shortfall: shown(shortfall), currency: p.currency,
      } })] : []),
      { kind: 'emit', event: 'PAYMENT_REFUNDED', withBalance: true, extra: { refund: { id: refund.id, amount: shown(refund.amount), shortfall: shown(shortfall), reason: refund.reason } } },
    ],
  );
}

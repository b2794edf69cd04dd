// The payment book: every money and status decision about a payment, in one pure function.
// Shown a payment (with its refunds) and one input, it answers what changes (checked against the
// transition table), what history says, which effects follow and what a callback is answered.
// Services load and lock, ask the book, and persist what it decided (services/book/).
import { assertTransition } from '../payment-state';
import { decideCapture, decideCaptureAnswer, decideCancel, decideCredit, decideDelete, decideExpiry, decideNoPaymentPage, decideNotCharged, decideVoid, decideVoidAnswer } from './commands';
import { decideGatewayEvent, decideGatewayState } from './gateway-word';
import { decideMarkPaid } from './staff';
import { decideRefundAnswer, decideRefundBooking, decideRefundRequest } from './refunds';
import type { BookInput, Decision, PaymentSnapshot } from './types';

/** `p` is null only for a gateway's word about a payment it does not know (an unknown invoice). */
export function decide(p: PaymentSnapshot | null, input: BookInput): Decision {
  if (!p) {
    if (input.kind !== 'gateway-event') throw new Error(`${input.kind} needs a payment`);
    return decideGatewayEvent(null, input.event, input);
  }
  const decision = rule(p, input);
  if (decision.change?.to) assertTransition(p.status, decision.change.to, decision.change.cause);
  return decision;
}

function rule(p: PaymentSnapshot, input: BookInput): Decision {
  switch (input.kind) {
    case 'gateway-event':
      return decideGatewayEvent(p, input.event, input);
    case 'gateway-state':
      return decideGatewayState(p, input.state, input);
    case 'capture':
      return decideCapture(p, input.amount);
    case 'capture-answered':
      return decideCaptureAnswer(p, input);
    case 'void':
      return decideVoid(p);
    case 'void-answered':
      return decideVoidAnswer(p, input);
    case 'cancel':
      return decideCancel(p);
    case 'delete':
      return decideDelete(p, input.now);
    case 'mark-paid':
      return decideMarkPaid(p, input);
    case 'expire':
      return decideExpiry(p, input.reason);
    case 'no-payment-page':
      return decideNoPaymentPage(p, input.reason);
    case 'not-charged':
      return decideNotCharged(p, input.reason);
    case 'refund-request':
      return decideRefundRequest(p, input);
    case 'refund-answered':
      return decideRefundAnswer(p, input);
    case 'refund-booking':
      return decideRefundBooking(p, input);
    case 'credit':
      return decideCredit(p);
    default: {
      const exhaustive: never = input;
      return exhaustive;
    }
  }
}

export { keepForAuthentication } from './commands';
export { refundsByHand } from './staff';
export { leftAtGateway, leftToAsk, refundAnswer } from './refunds';
export type * from './types';

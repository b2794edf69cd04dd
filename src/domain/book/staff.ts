// Money that came by hand: what staff confirm (markPaymentPaid; recordManualPayment creates a
// payment already confirmed so), and what follows from it. Such a payment carries
// metadata.confirmedBy = "staff": no gateway transaction of it was credited, so any money a gateway
// reports for it later is a double payment, and refunding it is handing money back by hand.
import { SETTLED } from '../payment-state';
import { change, nothing, refuse } from './decision';
import type { Decision, PaymentPatch, PaymentSnapshot } from './types';

/** The metadata key that says so; a gateway's details never set it (see gatewayMetadata). */
export const CONFIRMED_BY = 'confirmedBy';

export const paidByStaff = (p: Pick<PaymentSnapshot, 'metadata'>) => p.metadata[CONFIRMED_BY] === 'staff';

/** A refund of a payment staff confirmed goes back by hand: no gateway is asked. */
export const refundsByHand = paidByStaff;

/** What a gateway reports about a payment, as metadata: never the staff marker. */
export function gatewayMetadata(details: Record<string, string>): Record<string, string> {
  const { [CONFIRMED_BY]: _dropped, ...rest } = details;
  return rest;
}

/** Statuses staff may mark paid: the payment never moved money (its order is cancelled first). */
const MARKABLE = ['PENDING', 'FAILED', 'CANCELLED'] as const;

/**
 * markPaymentPaid: the money for a payment that never moved money provably came another way (a
 * bank transfer, cash). Its order at the gateway was cancelled and the gateway asked first; should
 * the gateway's Pay come all the same, the client paid twice (gateway-word.ts: DOUBLE_PAYMENT,
 * never credited).
 */
export function decideMarkPaid(p: PaymentSnapshot, input: { reason: string; documentNumber: string | null; now: Date }): Decision {
  if (SETTLED.includes(p.status) && paidByStaff(p)) return nothing(); // a retry
  if (!(MARKABLE as readonly string[]).includes(p.status)) {
    const why = SETTLED.includes(p.status) ? ': the gateway already took the money' : ': the gateway holds the money; capture or void it';
    return refuse({ code: 'CONFLICT', message: `payment ${p.id} is ${p.status}: only a payment that never moved money can be marked paid${why}`, field: 'id' });
  }
  const patch: PaymentPatch = {
    confirmedAt: input.now, metadata: { [CONFIRMED_BY]: 'staff' }, failureReason: null, failureCode: null,
    ...(input.documentNumber ? { documentNumber: input.documentNumber } : {}),
    ...(p.deleted ? { deletedAt: null } : {}),
  };
  const text = `marked paid by staff: ${input.reason}${input.documentNumber ? ` (document ${input.documentNumber})` : ''}`;
  return change(
    { to: 'CONFIRMED', cause: 'staff', patch },
    { code: 'MARKED_PAID', text, data: { reason: input.reason, ...(input.documentNumber ? { documentNumber: input.documentNumber } : {}), ...(p.deleted ? { undeleted: true } : {}) } },
    [{ kind: 'credit' }],
  );
}

// The payment state machine: the only place that decides whether a status change is legal
// (docs/architecture.md, "The payment book"). Pure: callers write the change and its history row.
import type { PaymentStatus } from '../generated/prisma/enums';
import { AppError } from './errors';

export type { PaymentStatus };

/**
 * Who asks for the change. Only `gateway` (a verified callback or the gateway's own API answer)
 * may move money-taking states: the gateway's word wins where money was taken. `staff` is the one
 * exception, an ADMIN's markPaymentPaid of a payment that never moved money, paid by other means.
 */
export type Cause = 'gateway' | 'api' | 'system' | 'staff';

type Rule = readonly Cause[];
const ANY: Rule = ['gateway', 'api', 'system'];
const GATEWAY: Rule = ['gateway'];

const TABLE: Readonly<Record<PaymentStatus, Partial<Record<PaymentStatus, Rule>>>> = {
  PENDING: {
    AUTHORIZED: GATEWAY,
    // One-stage Pay; or staff, when the money provably came another way (markPaymentPaid).
    CONFIRMED: ['gateway', 'staff'],
    FAILED: ['gateway', 'system'],
    CANCELLED: ANY,
  },
  AUTHORIZED: {
    CONFIRMED: GATEWAY, // Confirm notification or captured through the gateway API
    FAILED: ['gateway', 'system'],
    CANCELLED: ANY, // void
  },
  CONFIRMED: {
    PARTIALLY_REFUNDED: ANY,
    REFUNDED: ANY,
  },
  PARTIALLY_REFUNDED: {
    PARTIALLY_REFUNDED: ANY, // another partial refund
    REFUNDED: ANY,
  },
  REFUNDED: {},
  // The exception: a verified Pay after a decline (the client retried in the widget) or after we
  // expired the payment. The money was taken, so the gateway's word wins; history says why.
  // AUTHORIZED is the same case on a two-stage terminal.
  // Staff: markPaymentPaid of a payment that never moved money, paid another way.
  FAILED: { CONFIRMED: ['gateway', 'staff'], AUTHORIZED: GATEWAY },
  CANCELLED: { CONFIRMED: ['gateway', 'staff'], AUTHORIZED: GATEWAY },
};

export const PAYMENT_STATUSES = Object.keys(TABLE) as PaymentStatus[];

export function canTransition(from: PaymentStatus, to: PaymentStatus, cause: Cause): boolean {
  return TABLE[from][to]?.includes(cause) ?? false;
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus, cause: Cause): void {
  if (!canTransition(from, to, cause)) {
    throw new AppError('CONFLICT', `payment cannot go from ${from} to ${to} (${cause})`, { details: { from, to } });
  }
}

/** Money has been taken and not (wholly) given back: the states a refund starts from. */
export const REFUNDABLE: readonly PaymentStatus[] = ['CONFIRMED', 'PARTIALLY_REFUNDED'];
/** A verified Pay/Confirm has been applied (the client's money is with us or was returned). */
export const SETTLED: readonly PaymentStatus[] = ['CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
/** Not decided yet: a Fail or Cancel may still close it. */
export const OPEN: readonly PaymentStatus[] = ['PENDING', 'AUTHORIZED'];
/** Closed without money; only a verified gateway Pay revives it (the exception in TABLE). */
export const CLOSED_UNPAID: readonly PaymentStatus[] = ['FAILED', 'CANCELLED'];
/** What a Check may let through: still open, or declined but retryable until it expires. */
export const PAYABLE: readonly PaymentStatus[] = ['PENDING', 'FAILED'];
/** Never moved money: the only payments staff may delete (hide); a PENDING one is cancelled first. */
export const DELETABLE: readonly PaymentStatus[] = ['PENDING', ...CLOSED_UNPAID];
/** What expires when its time is up: not paid, not declined, not cancelled. */
export const EXPIRABLE: readonly PaymentStatus[] = ['PENDING'];
/** Worth asking the gateway about: it may know of money we have not heard of. */
export const RECONCILABLE: readonly PaymentStatus[] = ['PENDING', 'AUTHORIZED', 'FAILED'];
/**
 * When reconciliation asks the gateway unprompted: unpaid payments about to expire (a lost Pay
 * would otherwise be cancelled), and holds kept long (the bank may have released them).
 */
export const RECONCILE_UNPROMPTED = {
  unpaid: { status: 'PENDING', withinMsOfExpiry: 5 * 60_000 },
  held: { status: 'AUTHORIZED', heldLongerThanMs: 24 * 3_600_000 },
} as const satisfies Record<string, { status: PaymentStatus; [rule: string]: unknown }>;

// Every status change goes through here: the state machine decides, and the history row is
// written in the caller's transaction.
import type { Tx } from '../../db';
import { assertTransition, type Cause } from '../../domain/payment-state';
import type { PaymentStatus } from '../../generated/prisma/enums';
import type { Payment, Prisma } from '../../generated/prisma/client';
import type { WebhookEventType } from '../../domain/webhook-events';
import type { OutboxEntry } from '../outbox/outbox';
import { emitPaymentEvent } from '../webhooks/emit';

export interface Change {
  to: PaymentStatus;
  cause: Cause;
  actor: string;
  reason?: string;
  data?: Prisma.InputJsonValue;
  /** Other columns to set with the status. */
  patch?: Prisma.PaymentUpdateInput;
  /** Collects the partner-webhook events this change emits, for the caller to publish after commit. */
  events?: OutboxEntry[];
}

/** Status changes partners hear about from here; RECEIVED and REFUNDED come when money is booked. */
const EVENT_OF: Partial<Record<PaymentStatus, WebhookEventType>> = { FAILED: 'PAYMENT_FAILED', CANCELLED: 'PAYMENT_CANCELLED' };

/** Locks the payment row for the rest of the transaction and returns it. */
export async function lockPayment(tx: Tx, paymentId: string): Promise<Payment | null> {
  await tx.$executeRaw`SELECT 1 FROM "Payment" WHERE id = ${paymentId} FOR UPDATE`;
  return tx.payment.findUnique({ where: { id: paymentId } });
}

export async function changeStatus(tx: Tx, payment: Payment, change: Change): Promise<Payment> {
  assertTransition(payment.status, change.to, change.cause);
  const updated = await tx.payment.update({ where: { id: payment.id }, data: { ...change.patch, status: change.to } });
  await recordEvent(tx, payment.id, payment.status, change);
  const type = EVENT_OF[change.to];
  if (type) {
    const entry = await emitPaymentEvent(tx, type, updated, { reason: change.reason ?? null });
    change.events?.push(entry);
  }
  return updated;
}

/** A history entry without a status change (an anomaly for staff to look at, a note). */
export async function recordEvent(tx: Tx, paymentId: string, from: PaymentStatus | null, change: Omit<Change, 'cause' | 'patch' | 'events'>): Promise<void> {
  await tx.paymentEvent.create({
    data: { paymentId, fromStatus: from, toStatus: change.to, actor: change.actor, reason: change.reason?.slice(0, 500) ?? null, data: change.data ?? {} },
  });
}

/**
 * A note for staff, once: the same note right after itself is not news (a gateway or a tenant
 * repeating one notification must not grow a payment's history without end).
 */
export async function recordNote(tx: Tx, payment: Pick<Payment, 'id' | 'status'>, actor: string, reason: string, data?: Prisma.InputJsonValue): Promise<void> {
  const last = await tx.paymentEvent.findFirst({ where: { paymentId: payment.id }, orderBy: { id: 'desc' }, select: { reason: true, toStatus: true } });
  if (last?.reason === reason.slice(0, 500) && last.toStatus === payment.status) return;
  await recordEvent(tx, payment.id, payment.status, { to: payment.status, actor, reason, data });
}

// Loading a payment for the book: the row (locked when a decision will change it) and the
// snapshot the book reads, with the refunds and the newest history entry.
import type { Tx } from '../../db';
import type { HistoryCode, PaymentSnapshot, RefundSnapshot } from '../../domain/book';
import { Decimal } from '../../domain/money';
import type { Payment, Refund } from '../../generated/prisma/client';

const dec = (v: { toString(): string }) => new Decimal(v.toString());
const decOrNull = (v: { toString(): string } | null) => (v === null ? null : dec(v));

export interface Loaded {
  row: Payment;
  snapshot: PaymentSnapshot;
}

export function toRefundSnapshot(r: Pick<Refund, 'id' | 'status' | 'amount' | 'gatewayRefundId' | 'reason'>): RefundSnapshot {
  return { id: r.id, status: r.status, amount: dec(r.amount), gatewayRefundId: r.gatewayRefundId, reason: r.reason };
}

/**
 * The payment with what the book needs of it. `lock` takes the row lock for the rest of the
 * transaction (every decision that changes a payment is made under it); `refunds` loads them.
 */
export async function loadPayment(tx: Tx, id: string, options: { lock: boolean; refunds?: boolean }): Promise<Loaded | null> {
  if (options.lock) await tx.$executeRaw`SELECT 1 FROM "Payment" WHERE id = ${id} FOR UPDATE`;
  const row = await tx.payment.findUnique({ where: { id } });
  if (!row) return null;
  const [client, refunds, last] = await Promise.all([
    tx.client.findUnique({ where: { organizationId_id: { organizationId: row.organizationId, id: row.clientId } }, select: { isActive: true } }),
    options.refunds ? tx.refund.findMany({ where: { paymentId: id }, orderBy: { createdAt: 'asc' } }) : Promise.resolve([]),
    tx.paymentEvent.findFirst({ where: { paymentId: id }, orderBy: { id: 'desc' }, select: { code: true, data: true } }),
  ]);
  const repeatKey = (last?.data as { repeatKey?: unknown } | undefined)?.repeatKey;
  return {
    row,
    snapshot: {
      id: row.id,
      status: row.status,
      amount: dec(row.amount),
      currency: row.currency,
      clientId: row.clientId,
      clientActive: client?.isActive ?? false,
      gatewayTransactionId: row.gatewayTransactionId,
      authorizedAmount: decOrNull(row.authorizedAmount),
      captureAmount: decOrNull(row.captureAmount),
      expiresAt: row.expiresAt,
      failureCode: row.failureCode,
      refundedAmount: dec(row.refundedAmount),
      restrictRefund: row.restrictRefund,
      metadata: (row.metadata ?? {}) as Record<string, unknown>,
      refunds: refunds.map(toRefundSnapshot),
      lastEntry: last ? { code: (last.code ?? 'LEGACY') as HistoryCode, key: typeof repeatKey === 'string' ? repeatKey : null } : null,
    },
  };
}

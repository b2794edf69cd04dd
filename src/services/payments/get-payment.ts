import type { Ctx } from '../../context';
import { formatAmount } from '../../domain/money';
import type { Refund } from '../../generated/prisma/client';
import type { PaymentStatus, RefundStatus, ShortfallResolution } from '../../generated/prisma/enums';
import { ITEM_LIST, pageSize } from '../common/validate';
import { toPaymentView, type PaymentView } from './view';
import { owned } from '../common/scope';
import { findPayment } from './find-payment';

/** By Paygate's id or the gateway's transaction id; null when the key's organization and environment have no such payment. */
export async function getPayment(ctx: Ctx, ref: string): Promise<PaymentView | null> {
  const p = await findPayment(ctx, ref, 'id');
  return p && toPaymentView(p);
}

export interface PaymentEventView {
  at: Date;
  /** STATUS (a change of status), EDIT (staff corrected fields) or NOTE (recorded, status unchanged). */
  kind: 'STATUS' | 'EDIT' | 'NOTE';
  fromStatus: PaymentStatus | null;
  toStatus: PaymentStatus;
  actor: string;
  actorName: string | null;
  reason: string | null;
  changes: { field: string; before: string | null; after: string | null }[];
}

export async function paymentHistory(ctx: Ctx, paymentId: string, first?: number | null): Promise<PaymentEventView[]> {
  const rows = await ctx.deps.db.paymentEvent.findMany({
    where: { paymentId, payment: owned(ctx) },
    orderBy: { id: 'asc' },
    take: pageSize(first, ITEM_LIST),
  });
  return rows.map((e) => {
    const data = (e.data ?? {}) as { changes?: PaymentEventView['changes']; actorName?: string };
    const kind = e.code === 'EDIT' ? 'EDIT' : e.fromStatus !== e.toStatus ? 'STATUS' : 'NOTE';
    return { at: e.at, kind, fromStatus: e.fromStatus, toStatus: e.toStatus, actor: e.actor, actorName: data.actorName ?? null, reason: e.reason, changes: data.changes ?? [] };
  });
}

export interface RefundView {
  id: string;
  paymentId: string;
  status: RefundStatus;
  amount: string;
  shortfall: string;
  reason: string | null;
  createdAt: Date;
  gatewayRefundId: string | null;
  shortfallResolution: ShortfallResolution | null;
  shortfallNote: string | null;
  shortfallDebited: string;
  shortfallResolvedAt: Date | null;
}

export function toRefundView(r: Refund, currency: string): RefundView {
  return {
    id: r.id, paymentId: r.paymentId, status: r.status, amount: formatAmount(r.amount, currency), shortfall: formatAmount(r.shortfall, currency),
    reason: r.reason, createdAt: r.createdAt, gatewayRefundId: r.gatewayRefundId,
    shortfallResolution: r.shortfallResolution, shortfallNote: r.shortfallNote, shortfallDebited: formatAmount(r.shortfallDebited, currency), shortfallResolvedAt: r.shortfallResolvedAt,
  };
}

export async function paymentRefunds(ctx: Ctx, paymentId: string, currency: string, first?: number | null): Promise<RefundView[]> {
  const rows = await ctx.deps.db.refund.findMany({ where: { paymentId, ...owned(ctx) }, orderBy: { createdAt: 'asc' }, take: pageSize(first, ITEM_LIST) });
  return rows.map((r) => toRefundView(r, currency));
}

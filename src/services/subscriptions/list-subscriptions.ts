// subscription(id), subscriptions(clientId, status, first, after) and a subscription's payments:
// within the key's organization and environment, newest first (ids sort by creation), keyset pages.
import type { Ctx } from '../../context';
import { formatAmount, lessFee } from '../../domain/money';
import type { SubscriptionStatus } from '../../generated/prisma/enums';
import { owned } from '../common/scope';
import { decodeCursor, encodeCursor, externalId, pageSize, text } from '../common/validate';
import { backOfficeOf, type BackOfficeFields, type PaymentTotal } from '../payments/list-payments';
import { toPaymentView, type PaymentView } from '../payments/view';
import { toSubscriptionView, type SubscriptionView } from './view';

export async function getSubscription(ctx: Ctx, id: string): Promise<SubscriptionView | null> {
  const row = await ctx.deps.db.subscription.findFirst({ where: { id: text(id, 'id', 64), ...owned(ctx) } });
  return row ? toSubscriptionView(row) : null;
}

export interface SubscriptionPage {
  edges: { cursor: string; node: SubscriptionView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export async function listSubscriptions(ctx: Ctx, args: { clientId?: string | null; status?: SubscriptionStatus | null; first?: number | null; after?: string | null }): Promise<SubscriptionPage> {
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const rows = await ctx.deps.db.subscription.findMany({
    where: {
      ...owned(ctx),
      ...(args.clientId != null ? { clientId: externalId(args.clientId, 'clientId') } : {}),
      ...(args.status != null ? { status: args.status } : {}),
      ...(after ? { id: { lt: after } } : {}),
    },
    orderBy: { id: 'desc' },
    take: take + 1,
  });
  const edges = rows.slice(0, take).map((r) => ({ cursor: encodeCursor(r.id), node: toSubscriptionView(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
}

export interface SubscriptionPaymentsPage {
  edges: { cursor: string; node: PaymentView & { backOffice: BackOfficeFields } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  summary: () => Promise<{ totalCount: number; totals: PaymentTotal[] }>;
}

/** The payments its charges made, newest first (the subscription is the caller's: it was read in scope). */
export async function subscriptionPayments(ctx: Ctx, subscriptionId: string, args: { first?: number | null; after?: string | null }): Promise<SubscriptionPaymentsPage> {
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const where = { ...owned(ctx), subscriptionId };
  const rows = await ctx.deps.db.payment.findMany({ where: { ...where, ...(after ? { id: { lt: after } } : {}) }, orderBy: { id: 'desc' }, take: take + 1 });
  const edges = rows.slice(0, take).map((p) => ({ cursor: encodeCursor(p.id), node: { ...toPaymentView(p), backOffice: backOfficeOf(p) } }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null },
    summary: async () => {
      const groups = await ctx.deps.db.payment.groupBy({ by: ['status', 'currency'], where, _count: { _all: true }, _sum: { amount: true, fee: true }, orderBy: [{ status: 'asc' }, { currency: 'asc' }] });
      const totals = groups.map((g) => {
        const amount = g._sum.amount?.toString() ?? '0';
        const fee = g._sum.fee?.toString() ?? '0';
        return { status: g.status, currency: g.currency, count: g._count._all, amount: formatAmount(amount, g.currency), fee: formatAmount(fee, g.currency), net: formatAmount(lessFee(amount, fee), g.currency) };
      });
      return { totalCount: totals.reduce((n, t) => n + t.count, 0), totals };
    },
  };
}

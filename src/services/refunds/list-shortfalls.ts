// shortfalls(open, first, after): refunds that could not take everything back, as a work queue,
// newest first (ids sort by creation), within the key's organization and environment.
import type { Ctx } from '../../context';
import type { Prisma } from '../../generated/prisma/client';
import { owned } from '../common/scope';
import { decodeCursor, pageSize } from '../common/validate';
import { toPage, type Page } from '../common/views';
import { toRefundView, type RefundView } from '../payments/get-payment';

/** open: true = unresolved with an amount still short; false = resolved; absent = both. */
export async function listShortfalls(ctx: Ctx, args: { open?: boolean | null; first?: number | null; after?: string | null }): Promise<Page<RefundView>> {
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const which: Prisma.RefundWhereInput = args.open === true
    ? { shortfallResolvedAt: null, shortfall: { gt: 0 } }
    : args.open === false
      ? { shortfallResolvedAt: { not: null } }
      : { OR: [{ shortfall: { gt: 0 } }, { shortfallDebited: { gt: 0 } }] };
  const rows = await ctx.deps.db.refund.findMany({
    where: { ...owned(ctx), ...which, ...(after ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: take + 1,
    include: { payment: { select: { currency: true } } },
  });
  return toPage(rows, take, (r) => toRefundView(r, r.payment.currency));
}

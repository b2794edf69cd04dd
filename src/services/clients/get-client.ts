import type { Ctx } from '../../context';
import { formatAmount } from '../../domain/money';
import type { LedgerKind } from '../../generated/prisma/enums';
import { decodeCursor, encodeCursor, pageSize } from '../shared/validate';
import { toClientView, type ClientView } from './client-view';

/** null when the client does not exist in the caller's organization. */
export async function getClient(ctx: Ctx, id: string): Promise<ClientView | null> {
  const row = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id } } });
  return row && toClientView(row);
}

export interface LedgerEntryView {
  id: string;
  at: Date;
  kind: LedgerKind;
  amount: string;
  balanceAfter: string;
  paymentId: string | null;
  refundId: string | null;
  reason: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Newest first. */
export async function listLedger(
  ctx: Ctx,
  client: { id: string; currency: string },
  args: { first?: number | null; after?: string | null },
): Promise<Page<LedgerEntryView>> {
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const rows = await ctx.deps.db.ledgerEntry.findMany({
    where: { organizationId: ctx.orgId, clientId: client.id, ...(after ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: take + 1,
  });
  const page = rows.slice(0, take);
  const edges = page.map((e) => ({
    cursor: encodeCursor(e.id),
    node: {
      id: e.id,
      at: e.at,
      kind: e.kind,
      amount: formatAmount(e.amount, client.currency),
      balanceAfter: formatAmount(e.balanceAfter, client.currency),
      paymentId: e.paymentId,
      refundId: e.refundId,
      reason: e.reason,
    },
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
}

import type { Ctx } from '../../context';
import { decodeCursor, pageSize } from '../common/validate';
import { toLedgerEntryView, toPage, type LedgerEntryView, type Page } from '../common/views';
import { toClientView, type ClientView } from './client-view';
import { owned } from '../common/scope';

/** null when the client does not exist in the caller's organization. */
export async function getClient(ctx: Ctx, id: string): Promise<ClientView | null> {
  const row = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id } } });
  return row && toClientView(row, ctx.env);
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
    where: { ...owned(ctx), clientId: client.id, ...(after ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: take + 1,
  });
  return toPage(rows, take, (e) => toLedgerEntryView(e, client.currency));
}

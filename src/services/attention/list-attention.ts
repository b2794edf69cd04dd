// attentionItems(open, first, after): what needs a person, newest first (ids sort by creation),
// within the key's organization and environment.
import type { Ctx } from '../../context';
import type { AttentionItem } from '../../generated/prisma/client';
import { owned } from '../common/scope';
import { decodeCursor, pageSize } from '../common/validate';
import { toPage, type Page } from '../common/views';

export interface AttentionItemView {
  id: string;
  at: Date;
  kind: string;
  paymentId: string | null;
  refundId: string | null;
  evidence: unknown;
  resolvedAt: Date | null;
  note: string | null;
}

export const toAttentionView = (a: AttentionItem): AttentionItemView => ({
  id: a.id, at: a.at, kind: a.kind, paymentId: a.paymentId, refundId: a.refundId, evidence: a.evidence, resolvedAt: a.resolvedAt, note: a.note,
});

/** open: true = not resolved; false = resolved; absent = both. */
export async function listAttentionItems(ctx: Ctx, args: { open?: boolean | null; first?: number | null; after?: string | null }): Promise<Page<AttentionItemView>> {
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const rows = await ctx.deps.db.attentionItem.findMany({
    where: {
      ...owned(ctx),
      ...(args.open === true ? { resolvedAt: null } : args.open === false ? { resolvedAt: { not: null } } : {}),
      ...(after ? { id: { lt: after } } : {}),
    },
    orderBy: { id: 'desc' },
    take: take + 1,
  });
  return toPage(rows, take, toAttentionView);
}

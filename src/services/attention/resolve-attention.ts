// resolveAttentionItem: staff close an item with a note saying what they did. Once: the row is
// locked, and a second resolution (or a racing one) is refused with nothing written.
import type { Ctx } from '../../context';
import { MAX_ATTENTION_NOTE, resolutionRefusal } from '../../domain/attention';
import { notFound } from '../../domain/errors';
import type { AttentionItem } from '../../generated/prisma/client';
import { text } from '../common/validate';
import { toAttentionView, type AttentionItemView } from './list-attention';

const ITEM_ID = /^att_[0-9a-z]{10,60}$/;

export async function resolveAttentionItem(ctx: Ctx, id: string, noteInput: string): Promise<AttentionItemView> {
  const note = text(noteInput, 'note', MAX_ATTENTION_NOTE);
  if (!ITEM_ID.test(id)) throw notFound('attention item', id.slice(0, 64));
  const item = await ctx.deps.db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<AttentionItem[]>`
      SELECT * FROM "AttentionItem" WHERE id = ${id} AND "organizationId" = ${ctx.orgId} AND environment = ${ctx.env}::"Environment" FOR UPDATE`;
    if (!row) throw notFound('attention item', id);
    const refusal = resolutionRefusal(row);
    if (refusal) throw refusal;
    return tx.attentionItem.update({ where: { id }, data: { resolvedAt: new Date(), resolvedBy: ctx.actor, note } });
  });
  ctx.log.info({ attentionItemId: id, kind: item.kind }, 'attention item resolved');
  return toAttentionView(item);
}

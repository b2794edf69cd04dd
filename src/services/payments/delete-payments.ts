// deletePayments: hides payments that never moved money (domain/book decideDelete), each under its
// own lock, with a result per id: one refusal never stops the others.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { MAX_FILTER_IDS } from './payment-filter';
import { runBook } from '../book/run';
import { owned } from '../common/scope';
import { cancelPageAtGateway } from './cancel-payment';

export interface BulkResult { id: string; ok: boolean; code: string | null; message: string | null }

export async function deletePayments(ctx: Ctx, ids: string[]): Promise<BulkResult[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) throw badInput('ids must name at least one payment', 'ids');
  if (unique.length > MAX_FILTER_IDS) throw badInput(`ids may name at most ${MAX_FILTER_IDS} payments`, 'ids');
  const results: BulkResult[] = [];
  for (const id of unique) {
    let ran: Awaited<ReturnType<typeof runBook>>;
    try {
      ran = await runBook(ctx.deps, id, { kind: 'delete', now: new Date() }, { who: { actor: ctx.actor }, owner: owned(ctx) });
    } catch (err) {
      // the ids before it are done: the caller hears which, and that this one failed
      ctx.log.error({ err, paymentId: id }, 'payment not deleted');
      results.push({ id, ok: false, code: 'INTERNAL_SERVER_ERROR', message: 'not deleted: internal error; nothing changed for it' });
      continue;
    }
    if (!ran) {
      results.push({ id, ok: false, code: 'NOT_FOUND', message: `payment ${id} not found` });
      continue;
    }
    const refusal = ran.decision.refusal;
    if (refusal) {
      results.push({ id, ok: false, code: refusal.code, message: refusal.message });
      continue;
    }
    if (ran.applied.asks.some((a) => a.action === 'cancel-page')) await cancelPageAtGateway(ctx, ran.applied.payment);
    results.push({ id, ok: true, code: null, message: null });
  }
  ctx.log.info({ requested: unique.length, deleted: results.filter((r) => r.ok).length }, 'payments deleted');
  return results;
}

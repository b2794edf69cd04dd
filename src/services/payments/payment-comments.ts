// Payment.comments: read only when asked for, oldest first. The payments a request asks for in
// one pass (a page of the list) are read together, in one query.
import type { Ctx } from '../../context';
import { owned } from '../common/scope';

export interface PaymentCommentView {
  id: string;
  at: Date;
  author: string;
  text: string;
}

type Batch = { ids: Set<string>; rows: Promise<Map<string, PaymentCommentView[]>> };
/** Per request (its key check), or per ctx where there is none. */
const batches = new WeakMap<object, Batch>();

export async function paymentComments(ctx: Ctx, payment: { id: string }): Promise<PaymentCommentView[]> {
  const owner = ctx.key ?? ctx;
  let batch = batches.get(owner);
  if (!batch) {
    const ids = new Set<string>();
    // after the current pass of the resolvers: every payment of the page has asked by then
    const rows = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      batches.delete(owner);
      return read(ctx, [...ids]);
    });
    batches.set(owner, (batch = { ids, rows }));
  }
  batch.ids.add(payment.id);
  return (await batch.rows).get(payment.id) ?? [];
}

async function read(ctx: Ctx, paymentIds: string[]): Promise<Map<string, PaymentCommentView[]>> {
  const rows = await ctx.deps.db.paymentComment.findMany({
    where: { paymentId: { in: paymentIds }, ...owned(ctx) },
    select: { id: true, at: true, author: true, text: true, paymentId: true },
    orderBy: [{ paymentId: 'asc' }, { at: 'asc' }, { id: 'asc' }],
  });
  const out = new Map<string, PaymentCommentView[]>();
  for (const { paymentId, ...c } of rows) {
    const list = out.get(paymentId) ?? [];
    if (!list.length) out.set(paymentId, list);
    list.push(c);
  }
  return out;
}

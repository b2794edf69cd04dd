// Payment.comments: read only when asked for, once per payment per request, oldest first.
import type { Ctx } from '../../context';
import { owned } from '../common/scope';

export interface PaymentCommentView {
  id: string;
  at: Date;
  author: string;
  text: string;
}

const loads = new WeakMap<object, Promise<PaymentCommentView[]>>();

export function paymentComments(ctx: Ctx, payment: { id: string }): Promise<PaymentCommentView[]> {
  let load = loads.get(payment);
  if (!load) {
    load = ctx.deps.db.paymentComment.findMany({
      where: { paymentId: payment.id, ...owned(ctx) },
      select: { id: true, at: true, author: true, text: true },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    loads.set(payment, load);
  }
  return load;
}

// addPaymentComment: a staff note on a payment, appended (comments are never edited or removed:
// a trigger refuses it), its author the key's name. At most MAX_COMMENTS per payment, counted
// under a lock of the payment's comments (an advisory lock: the payment's row is left to the
// callback path).
import type { Ctx } from '../../context';
import { AppError, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { owned } from '../common/scope';
import { plainText } from '../common/validate';
import { findPayment } from './find-payment';
import type { PaymentCommentView } from './payment-comments';

export const MAX_COMMENTS = 500;
export const MAX_COMMENT_LENGTH = 4000;

export async function addPaymentComment(ctx: Ctx, ref: string, input: string): Promise<PaymentCommentView> {
  const body = plainText(input, 'text', MAX_COMMENT_LENGTH);
  const payment = await findPayment(ctx, ref, 'id');
  if (!payment) throw notFound('payment', ref);
  const author = ctx.actorName ?? ctx.actor;
  const comment = await ctx.deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`comments:${payment.id}`}, 0))`;
    const count = await tx.paymentComment.count({ where: { paymentId: payment.id, ...owned(ctx) } });
    if (count >= MAX_COMMENTS) {
      throw new AppError('CONFLICT', `payment ${payment.id} has ${MAX_COMMENTS} comments, the most it may have`, { details: { limit: MAX_COMMENTS } });
    }
    return tx.paymentComment.create({
      data: { id: newId('cmt'), ...owned(ctx), paymentId: payment.id, authorKeyId: ctx.key?.principal.tokenId ?? null, author: author.slice(0, 200), text: body },
      select: { id: true, at: true, author: true, text: true },
    });
  });
  ctx.log.info({ paymentId: payment.id, commentId: comment.id }, 'payment comment added');
  return comment;
}

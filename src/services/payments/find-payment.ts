import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import type { Payment } from '../../generated/prisma/client';
import { owned } from '../common/scope';

/**
 * The payment a caller names by Paygate's own id (`pay_…`) or by the gateway's transaction id,
 * within the key's organization and environment. Null when neither matches; when the gateway's id
 * is held by payments of two gateways, BAD_USER_INPUT naming them. Paygate's ids are tried first,
 * by primary key: the common case costs one indexed read.
 */
export async function findPayment(ctx: Ctx, ref: string, field: string): Promise<Payment | null> {
  if (ref.startsWith('pay_')) {
    const own = await ctx.deps.db.payment.findFirst({ where: { id: ref, ...owned(ctx) } });
    if (own) return own;
  }
  const rows = await ctx.deps.db.payment.findMany({ where: { ...owned(ctx), gatewayTransactionId: ref }, orderBy: { id: 'asc' }, take: 5 });
  if (rows.length > 1) {
    throw badInput(`transaction ${ref} is held by several payments (${rows.map((r) => r.id).join(', ')}); name one by Paygate's id`, field);
  }
  return rows[0] ?? null;
}

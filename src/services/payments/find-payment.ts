import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { type PaymentViewRow } from './view';

// payment(id:) is a hot path: prepared statements through the pool, outside Prisma's runtime.
const VIEW_COLUMNS = `id, status, environment, amount::text AS amount, currency, "clientId", "clubId", "createdAt", "confirmedAt", "expiresAt",
  "gatewayTransactionId", "gatewayType", "refundedAmount"::text AS "refundedAmount", description, "paymentUrl", "failureReason", "failureCode"`;
const BY_ID = { name: 'payment-view-by-id', text: `SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE id = $1 AND "organizationId" = $2 AND environment = $3` };
const BY_TRANSACTION = {
  name: 'payment-view-by-transaction',
  text: `SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE "gatewayTransactionId" = $1 AND "organizationId" = $2 AND environment = $3 ORDER BY id LIMIT 5`,
};

/**
 * The payment a caller names by Paygate's own id (`pay_…`) or by the gateway's transaction id,
 * within the key's organization and environment, as the API shows it. Null when neither matches;
 * when the gateway's id is held by payments of two gateways, BAD_USER_INPUT naming them. Paygate's
 * ids are tried first, by primary key: the common case is one indexed read.
 */
export async function findPayment(ctx: Ctx, ref: string, field: string): Promise<PaymentViewRow | null> {
  const values = [ref, ctx.orgId, ctx.env];
  if (ref.startsWith('pay_')) {
    const { rows } = await ctx.deps.pg.query<PaymentViewRow>({ ...BY_ID, values });
    if (rows[0]) return rows[0];
  }
  const { rows } = await ctx.deps.pg.query<PaymentViewRow>({ ...BY_TRANSACTION, values });
  if (rows.length > 1) {
    throw badInput(`transaction ${ref} is held by several payments (${rows.map((r) => r.id).join(', ')}); name one by Paygate's id`, field);
  }
  return rows[0] ?? null;
}

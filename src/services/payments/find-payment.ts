import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { keyStateSql, type KeyState } from '../auth/authenticate';
import { type PaymentViewRow } from './view';

// payment(id:) is a hot path: prepared statements through the pool, outside Prisma's runtime.
const VIEW_COLUMNS = `id, status, environment, amount::text AS amount, currency, "clientId", "clubId", "createdAt", "confirmedAt", "expiresAt",
  "gatewayTransactionId", "gatewayType", "refundedAmount"::text AS "refundedAmount", description, "paymentUrl", "failureReason", "failureCode", "subscriptionId"`;
/** A read by `where` ($1 the ref, $2 the organization, $3 the environment), and the same read with the request's key checked in it ($4 its id). */
function statement(name: string, where: string) {
  return {
    plain: { name, text: `SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE ${where}` },
    // "keyState" and, for a live key, the payments (or one row of nulls)
    checkingKey: {
      name: `${name}-checking-key`,
      text: `SELECT k.state AS "keyState", p.* FROM (SELECT ${keyStateSql('$4')} AS state) k
        LEFT JOIN LATERAL (SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE ${where}) p ON k.state = 'live'`,
    },
  };
}
const BY_ID = statement('payment-view-by-id', 'id = $1 AND "organizationId" = $2 AND environment = $3');
const BY_TRANSACTION = statement('payment-view-by-transaction', '"gatewayTransactionId" = $1 AND "organizationId" = $2 AND environment = $3 ORDER BY id LIMIT 5');

/**
 * The payment a caller names by Paygate's own id (`pay_…`) or by the gateway's transaction id,
 * within the key's organization and environment, as the API shows it. Null when neither matches;
 * when the gateway's id is held by payments of two gateways, BAD_USER_INPUT naming them. Paygate's
 * ids are tried first, by primary key: the common case is one indexed read.
 */
export async function findPayment(ctx: Ctx, ref: string, field: string): Promise<PaymentViewRow | null> {
  if (ref.startsWith('pay_')) {
    const [row] = await read(ctx, BY_ID, ref);
    if (row) return row;
  }
  const rows = await read(ctx, BY_TRANSACTION, ref);
  if (rows.length > 1) {
    throw badInput(`transaction ${ref} is held by several payments (${rows.map((r) => r.id).join(', ')}); name one by Paygate's id`, field);
  }
  return rows[0] ?? null;
}

/** The request's key, if still unchecked, is checked in the first read (KeyCheck.settle); refused, nothing is returned. */
async function read(ctx: Ctx, s: ReturnType<typeof statement>, ref: string): Promise<PaymentViewRow[]> {
  const values = [ref, ctx.orgId, ctx.env];
  const key = ctx.key;
  if (!key || key.verified) return (await ctx.deps.pg.query<PaymentViewRow>({ ...s.plain, values })).rows;
  const { rows } = await ctx.deps.pg.query<PaymentViewRow & { keyState: KeyState }>({ ...s.checkingKey, values: [...values, key.principal.tokenId] });
  key.settle(rows[0].keyState);
  const refusal = key.refusal;
  if (refusal) throw refusal;
  return rows.filter((r) => r.id !== null).map(({ keyState: _, ...row }) => row);
}

import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { keyStateSql, type KeyState } from '../auth/authenticate';
import { type PaymentViewRow } from './view';

// payment(id:) is a hot path: prepared statements through the pool, outside Prisma's runtime.
const VIEW_COLUMNS = `id, status, environment, amount::text AS amount, currency, "clientId", "clubId", "createdAt", "confirmedAt", "expiresAt",
  "gatewayTransactionId", "gatewayType", "refundedAmount"::text AS "refundedAmount", description, "paymentUrl", "failureReason", "failureCode"`;
const BY_ID_WHERE = 'id = $1 AND "organizationId" = $2 AND environment = $3';
const BY_TRANSACTION_WHERE = '"gatewayTransactionId" = $1 AND "organizationId" = $2 AND environment = $3 ORDER BY id LIMIT 5';
const BY_ID = { name: 'payment-view-by-id', text: `SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE ${BY_ID_WHERE}` };
const BY_TRANSACTION = { name: 'payment-view-by-transaction', text: `SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE ${BY_TRANSACTION_WHERE}` };
/** The same reads with the request's key checked in them ($4 = its id): "keyState" and, for a live key, the payments (or one row of nulls). */
const checkingKey = (name: string, where: string) => ({
  name: `${name}-checking-key`,
  text: `SELECT k.state AS "keyState", p.* FROM (SELECT ${keyStateSql('$4')} AS state) k
    LEFT JOIN LATERAL (SELECT ${VIEW_COLUMNS} FROM "Payment" WHERE ${where}) p ON k.state = 'live'`,
});
const BY_ID_CHECKING_KEY = checkingKey(BY_ID.name, BY_ID_WHERE);
const BY_TRANSACTION_CHECKING_KEY = checkingKey(BY_TRANSACTION.name, BY_TRANSACTION_WHERE);

/**
 * The payment a caller names by Paygate's own id (`pay_…`) or by the gateway's transaction id,
 * within the key's organization and environment, as the API shows it. Null when neither matches;
 * when the gateway's id is held by payments of two gateways, BAD_USER_INPUT naming them. Paygate's
 * ids are tried first, by primary key: the common case is one indexed read.
 */
export async function findPayment(ctx: Ctx, ref: string, field: string): Promise<PaymentViewRow | null> {
  const byId = ref.startsWith('pay_');
  if (ctx.key && !ctx.key.verified) {
    const { rows } = await ctx.deps.pg.query<PaymentViewRow & { keyState: KeyState }>({
      ...(byId ? BY_ID_CHECKING_KEY : BY_TRANSACTION_CHECKING_KEY), values: [ref, ctx.orgId, ctx.env, ctx.key.principal.tokenId],
    });
    ctx.key.settle(rows[0].keyState);
    const refusal = ctx.key.refusal;
    if (refusal) throw refusal;
    const found = rows.filter((r) => r.id !== null).map(({ keyState: _, ...row }) => row);
    if (byId ? found.length : true) return byId ? found[0] : oneOf(found, ref, field);
  }
  const values = [ref, ctx.orgId, ctx.env];
  if (byId) {
    const { rows } = await ctx.deps.pg.query<PaymentViewRow>({ ...BY_ID, values });
    if (rows[0]) return rows[0];
  }
  const { rows } = await ctx.deps.pg.query<PaymentViewRow>({ ...BY_TRANSACTION, values });
  return oneOf(rows, ref, field);
}

function oneOf(rows: PaymentViewRow[], ref: string, field: string): PaymentViewRow | null {
  if (rows.length > 1) {
    throw badInput(`transaction ${ref} is held by several payments (${rows.map((r) => r.id).join(', ')}); name one by Paygate's id`, field);
  }
  return rows[0] ?? null;
}

import type { Db } from '../../db';
import type { GatewayType } from '../../generated/prisma/enums';
import type { SharedCallbackRef } from '../../gateways/types';

/** More than one organization may hold (its gateways can be told of) any transaction id: every holder is tried, up to this many. */
const MAX_CANDIDATES = 200;

/**
 * For a notification posted to a gateway's shared URL: the gateways, of these types, whose secret
 * may verify it. The payment it names (InvoiceId) decides; without one, the payments holding its
 * transaction ids do. Nothing here is trusted: the signature check against each candidate is.
 */
export async function gatewaysNamedBy(db: Db, types: readonly GatewayType[], ref: SharedCallbackRef): Promise<string[]> {
  if (ref.invoiceId) {
    const payment = await db.payment.findUnique({ where: { id: ref.invoiceId }, select: { gatewayId: true, gatewayType: true } });
    if (payment?.gatewayId && types.includes(payment.gatewayType)) return [payment.gatewayId];
  }
  if (!ref.transactionIds.length) return [];
  // Anyone may make a payment of their own gateway hold someone else's transaction id (a signed
  // Pay naming it), so no holder is preferred by being found first: the earliest holder of each
  // type comes first (the types in the order given), and every one is tried.
  const rows = await db.payment.findMany({
    where: { gatewayTransactionId: { in: [...ref.transactionIds] }, gatewayType: { in: [...types] } },
    select: { gatewayId: true, gatewayType: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: MAX_CANDIDATES * 5,
  });
  const ordered = [...rows].sort((a, b) => types.indexOf(a.gatewayType) - types.indexOf(b.gatewayType));
  return [...new Set(ordered.flatMap((r) => (r.gatewayId ? [r.gatewayId] : [])))].slice(0, MAX_CANDIDATES);
}

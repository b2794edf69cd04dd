import type { Db } from '../../db';
import type { GatewayType } from '../../generated/prisma/enums';
import type { SharedCallbackRef } from '../../gateways/types';

const MAX_CANDIDATES = 5;

/**
 * For a notification posted to a gateway's shared URL: the gateways, of these types, whose secret
 * may verify it. The payment it names (InvoiceId) decides; without one, the payments holding its
 * transaction ids do. Nothing here is trusted: the signature check against each candidate is.
 */
export async function gatewaysNamedBy(db: Db, types: readonly GatewayType[], ref: SharedCallbackRef): Promise<string[]> {
  if (ref.invoiceId) {
    const payment = await db.payment.findUnique({ where: { id: ref.invoiceId }, select: { gatewayId: true, gatewayType: true } });
    if (payment && types.includes(payment.gatewayType)) return [payment.gatewayId];
  }
  if (!ref.transactionIds.length) return [];
  const rows = await db.payment.findMany({
    where: { gatewayTransactionId: { in: [...ref.transactionIds] }, gatewayType: { in: [...types] } },
    select: { gatewayId: true },
    distinct: ['gatewayId'],
    take: MAX_CANDIDATES,
  });
  return rows.map((r) => r.gatewayId);
}

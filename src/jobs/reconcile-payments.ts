// Asks the gateway about payments whose callbacks may have been lost: PENDING ones close to
// expiry, and holds AUTHORIZED for long (a bank may have released them). Expired PENDING
// payments are the expiry job's.
import type { Deps } from '../context';
import { reconcileWithGateway } from '../services/payments/reconcile-payment';

export const RECONCILE_EVERY_MS = 5 * 60_000;
const NEAR_EXPIRY_MS = 5 * 60_000;
const LONG_AUTHORIZED_MS = 24 * 3_600_000;
const BATCH = 100;
const RUN_BUDGET_MS = 60_000;

export async function reconcilePayments(deps: Deps): Promise<number> {
  const now = Date.now();
  const due = await deps.db.payment.findMany({
    where: {
      OR: [
        { status: 'PENDING', expiresAt: { gt: new Date(now), lt: new Date(now + NEAR_EXPIRY_MS) } },
        { status: 'AUTHORIZED', authorizedAt: { lt: new Date(now - LONG_AUTHORIZED_MS) } },
      ],
    },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
    select: { id: true },
  });
  let asked = 0;
  for (const { id } of due) {
    if (Date.now() - now > RUN_BUDGET_MS) break;
    try {
      await reconcileWithGateway(deps, id, 'system:reconcile');
      asked++;
    } catch (err) {
      deps.log.warn({ err, paymentId: id }, 'reconciliation: the gateway did not answer');
    }
    await deps.db.payment.update({ where: { id }, data: { updatedAt: new Date() } });
  }
  return asked;
}

import type { Deps } from '../context';
import { expirePayment } from '../services/payments/expire-payment';

export const EXPIRE_EVERY_MS = 30_000;
const BATCH = 100;

export async function expirePayments(deps: Deps): Promise<Record<string, number>> {
  const due = await deps.db.payment.findMany({
    where: { status: 'PENDING', expiresAt: { lt: new Date() } },
    orderBy: { expiresAt: 'asc' },
    take: BATCH,
    select: { id: true },
  });
  const counts: Record<string, number> = {};
  for (const { id } of due) {
    const result = await expirePayment(deps, id);
    counts[result] = (counts[result] ?? 0) + 1;
  }
  if (due.length) deps.log.info(counts, 'expiry run');
  return counts;
}

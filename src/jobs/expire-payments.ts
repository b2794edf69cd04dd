import { z } from 'zod';
import type { Deps } from '../context';
import { defineJob } from './definition';
import { EXPIRABLE } from '../domain/payment-state';
import { expirePayment } from '../services/payments/expire-payment';

export const EXPIRE_EVERY_MS = 30_000;
const BATCH = 100;
/** One run stops starting new payments after this, so runs do not pile up behind a slow gateway. */
const RUN_BUDGET_MS = 20_000;

export async function expirePayments(deps: Deps): Promise<Record<string, number>> {
  const due = await deps.db.payment.findMany({
    where: { status: { in: [...EXPIRABLE] }, expiresAt: { lt: new Date() } },
    // Least recently looked at first: a payment kept for a gateway that does not answer moves to
    // the back (expirePayment touches it), so it cannot hold up everyone else's.
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
    select: { id: true },
  });
  const counts: Record<string, number> = {};
  const started = Date.now();
  for (const { id } of due) {
    if (Date.now() - started > RUN_BUDGET_MS) break;
    let result: string;
    try {
      result = await expirePayment(deps, id);
    } catch (err) {
      // One payment that cannot be handled must not stop the others: it goes to the back of the line.
      deps.log.error({ err, paymentId: id }, 'expiry failed for this payment; trying again on a later run');
      await deps.db.payment.update({ where: { id }, data: { updatedAt: new Date() } }).catch(() => undefined);
      result = 'failed';
    }
    counts[result] = (counts[result] ?? 0) + 1;
  }
  if (due.length) deps.log.info(counts, 'expiry run');
  return counts;
}

export const expirePaymentsJob = defineJob({ name: 'expire-payments', queue: 'maintenance', schema: z.unknown(), every: EXPIRE_EVERY_MS, handler: expirePayments });

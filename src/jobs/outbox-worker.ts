// Carries out outbox effects. Job id = outbox key; the payload is only the key: the row is the truth.
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import type { Deps } from '../context';
import { creditPayment } from '../services/ledger/credit-payment';
import { bookRefund } from '../services/refunds/book-refund';
import { fanOutEvent } from '../services/webhooks/fan-out';

const jobData = z.object({ key: z.string().min(1) });

export async function processOutboxJob(deps: Deps, job: Job): Promise<string> {
  const parsed = jobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`outbox job ${job.id} has no key`);
  const row = await deps.db.outbox.findUnique({ where: { key: parsed.data.key } });
  if (!row) throw new UnrecoverableError(`outbox row ${parsed.data.key} not found`);
  if (row.status === 'DONE') return 'already-done';
  try {
    switch (row.kind) {
      case 'payment.credit':
        return await creditPayment(deps, row.key, String((row.payload as { paymentId: string }).paymentId));
      case 'refund.book':
        return await bookRefund(deps, row.key, String((row.payload as { refundId: string }).refundId));
      case 'webhook.event':
        return `fanned out to ${await fanOutEvent(deps, row.key)}`;
      default:
        throw new UnrecoverableError(`unknown outbox kind ${row.kind}`);
    }
  } catch (err) {
    await deps.db.outbox.update({ where: { key: row.key }, data: { attempts: { increment: 1 }, lastError: String((err as Error).message).slice(0, 1000) } });
    throw err;
  }
}

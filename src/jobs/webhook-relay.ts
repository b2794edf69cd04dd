// Re-schedules webhook attempts whose jobs were lost (Redis restart): the delivery rows are the truth.
import type { Deps } from '../context';
import { AWAITING } from '../domain/webhook-delivery';
import { scheduleAttempt } from '../services/webhooks/schedule';

const OVERDUE_MS = 60_000;

export async function relayWebhookDeliveries(deps: Deps): Promise<number> {
  const due = await deps.db.webhookDelivery.findMany({
    where: { status: AWAITING, nextAttemptAt: { lt: new Date(Date.now() - OVERDUE_MS) } },
    orderBy: { nextAttemptAt: 'asc' },
    take: 500,
    select: { id: true, attempts: true, nextAttemptAt: true },
  });
  for (const d of due) await scheduleAttempt(deps, d.id, d.attempts + 1, d.nextAttemptAt!);
  return due.length;
}

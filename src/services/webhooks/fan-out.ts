// One event → one delivery per subscribed, active endpoint of its organization and environment, in the
// transaction that closes the event's outbox row. Delivery jobs follow after commit.
import type { Deps } from '../../context';
import { newId } from '../../domain/ids';
import type { WebhookMessage } from '../../domain/webhook-events';
import type { Prisma } from '../../generated/prisma/client';
import { claimOutbox, markOutboxDone } from '../outbox/outbox';
import { scheduleAttempt } from './schedule';

export async function fanOutEvent(deps: Deps, key: string): Promise<number> {
  const deliveries = await deps.db.$transaction(async (tx) => {
    const row = await claimOutbox(tx, key);
    if (!row) return [];
    const { id: eventId, message } = row.payload as unknown as { id: string; message: WebhookMessage };
    // Events written before environments existed are LIVE, as everything of that time is.
    const environment = message.environment ?? 'LIVE';
    const endpoints = await tx.webhookEndpoint.findMany({
      where: { organizationId: row.organizationId, environment, isActive: true, events: { has: message.type } },
      select: { id: true },
    });
    const due = new Date(Date.now() + (deps.config.webhooks.retryDelaysMs[0] ?? 0));
    const created = endpoints.map((e) => ({
      id: newId('whd'), organizationId: row.organizationId, environment, endpointId: e.id, eventId, eventType: message.type,
      payload: message as unknown as Prisma.InputJsonObject, nextAttemptAt: due,
    }));
    if (created.length) await tx.webhookDelivery.createMany({ data: created, skipDuplicates: true });
    await markOutboxDone(tx, key);
    return created;
  });
  for (const d of deliveries) await scheduleAttempt(deps, d.id, 1, d.nextAttemptAt);
  return deliveries.length;
}

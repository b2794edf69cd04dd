// Events → one delivery per subscribed, active endpoint of the event's organization and
// environment, a batch at a time, in the transaction of the outbox consumer that claimed their
// rows. Delivery jobs follow after commit.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import type { WebhookMessage } from '../../domain/webhook-events';
import type { Prisma } from '../../generated/prisma/client';
import type { Environment } from '../../generated/prisma/enums';
import { scheduleAttempt } from './schedule';

export interface EventRow {
  organizationId: string;
  payload: { id: string; message: WebhookMessage };
}

/** Returns what to do after commit: schedule each delivery's first attempt. */
export async function fanOutEvents(deps: Deps, tx: Tx, events: readonly EventRow[]): Promise<() => Promise<void>> {
  // Events written before environments existed are LIVE, as everything of that time is.
  const environmentOf = (e: EventRow): Environment => e.payload.message.environment ?? 'LIVE';
  const owners = [...new Map(events.map((e) => [`${e.organizationId} ${environmentOf(e)}`, { organizationId: e.organizationId, environment: environmentOf(e) }])).values()];
  const endpoints = await tx.webhookEndpoint.findMany({ where: { isActive: true, OR: owners }, select: { id: true, organizationId: true, environment: true, events: true } });
  const due = new Date(Date.now() + (deps.config.webhooks.retryDelaysMs[0] ?? 0));
  const created = events.flatMap((e) => {
    const { id: eventId, message } = e.payload;
    return endpoints
      .filter((ep) => ep.organizationId === e.organizationId && ep.environment === environmentOf(e) && ep.events.includes(message.type))
      .map((ep) => ({
        id: newId('whd'), organizationId: e.organizationId, environment: environmentOf(e), endpointId: ep.id, eventId, eventType: message.type,
        payload: message as unknown as Prisma.InputJsonObject, nextAttemptAt: due,
      }));
  });
  if (created.length) await tx.webhookDelivery.createMany({ data: created, skipDuplicates: true });
  return async () => {
    for (const d of created) await scheduleAttempt(deps, d.id, 1, d.nextAttemptAt);
  };
}

// One delivery attempt: sign, POST, log the attempt, then schedule the next one, deliver, or give
// up and (after a long failure streak, or 410 Gone) disable the endpoint.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { WEBHOOK_DISABLED } from '../../domain/webhook-events';
import { postWebhook } from './post';
import { webhookHeaders } from './signing';
import { signingSecrets } from './endpoints';
import { scheduleAttempt, withJitter } from './schedule';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

export async function deliverAttempt(deps: Deps, deliveryId: string, attempt: number): Promise<AttemptOutcome> {
  const d = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  // A stale job: the delivery is done, or this attempt already ran.
  if (!d || d.status !== 'PENDING' || d.attempts >= attempt) return 'skipped';
  if (!d.endpoint.isActive) {
    await deps.db.webhookDelivery.update({ where: { id: d.id }, data: { status: 'FAILED', lastError: 'the endpoint is disabled', nextAttemptAt: null } });
    return 'failed';
  }
  const body = JSON.stringify(d.payload);
  const now = new Date();
  const headers = webhookHeaders(d.eventId, now, body, signingSecrets(deps, d.endpoint, now));
  const result = await postWebhook(d.endpoint.url, headers, body, { timeoutMs: deps.config.webhooks.timeoutMs, allowPrivate: deps.config.webhookAllowPrivateUrls });
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const delays = deps.config.webhooks.retryDelaysMs;
  // Where this attempt is in its retry schedule (a replay starts the schedule again).
  const position = attempt - d.scheduleOffset;
  const next = new Date(Date.now() + withJitter(delays[position] ?? 0));

  const outcome = await deps.db.$transaction(async (tx): Promise<AttemptOutcome> => {
    await tx.webhookAttempt.create({
      data: { deliveryId: d.id, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, response: result.response },
    });
    const base = { attempts: attempt, lastAttemptAt: now, lastStatusCode: result.statusCode, lastError: result.error ?? (ok ? null : `HTTP ${result.statusCode}`) };
    if (ok) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...base, status: 'DELIVERED', deliveredAt: new Date(), nextAttemptAt: null } });
      if (d.endpoint.failingSince) await tx.webhookEndpoint.update({ where: { id: d.endpoint.id }, data: { failingSince: null } });
      return 'delivered';
    }
    const failingSince = d.endpoint.failingSince ?? now;
    const gone = result.statusCode === 410;
    const tooLong = now.getTime() - failingSince.getTime() > deps.config.webhooks.disableAfterMs;
    if (gone || tooLong) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...base, status: 'FAILED', nextAttemptAt: null } });
      await disableEndpoint(tx, d.endpoint.id, d.organizationId, gone ? 'the endpoint answered 410 Gone' : `every delivery failed for longer than ${Math.round(deps.config.webhooks.disableAfterMs / 3_600_000)} h`);
      return 'failed';
    }
    if (!d.endpoint.failingSince) await tx.webhookEndpoint.update({ where: { id: d.endpoint.id }, data: { failingSince } });
    if (position >= delays.length) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...base, status: 'FAILED', nextAttemptAt: null } });
      return 'failed';
    }
    await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...base, nextAttemptAt: next } });
    return 'retry';
  });
  deps.log.info({ deliveryId, endpointId: d.endpoint.id, attempt, status: result.statusCode, latencyMs: result.latencyMs, outcome }, 'webhook attempt');
  if (outcome === 'retry') await scheduleAttempt(deps, d.id, attempt + 1, next);
  return outcome;
}

async function disableEndpoint(tx: Tx, endpointId: string, organizationId: string, reason: string): Promise<void> {
  await tx.webhookEndpoint.update({ where: { id: endpointId }, data: { isActive: false, disabledReason: reason, disabledAt: new Date() } });
  // Written to the endpoint's delivery log (not sent), so the partner's history shows why it stopped.
  await tx.webhookDelivery.create({
    data: {
      id: newId('whd'), organizationId, endpointId, eventId: newId('msg'), eventType: WEBHOOK_DISABLED,
      payload: { type: WEBHOOK_DISABLED, timestamp: new Date().toISOString(), data: { webhookId: endpointId, reason } },
      status: 'FAILED', lastError: reason,
    },
  });
}

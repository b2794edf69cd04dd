// One delivery attempt: sign, POST, log the attempt, then schedule the next one, deliver, or give
// up and (after a long failure streak, or 410 Gone) disable the endpoint.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { GIVEN_UP, isAwaitingAttempt, judgeAttempt } from '../../domain/webhook-delivery';
import { WEBHOOK_DISABLED } from '../../domain/webhook-events';
import type { WebhookEndpoint } from '../../generated/prisma/client';
import { postWebhook } from './post';
import { webhookHeaders } from './signing';
import { signingSecrets } from './endpoints';
import { scheduleAttempt, withJitter } from './schedule';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

export async function deliverAttempt(deps: Deps, deliveryId: string, attempt: number): Promise<AttemptOutcome> {
  const d = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  // A stale job: the delivery is done, or this attempt already ran.
  if (!d || !isAwaitingAttempt(d, attempt)) return 'skipped';
  if (!d.endpoint.isActive) {
    await deps.db.webhookDelivery.update({ where: { id: d.id }, data: { status: GIVEN_UP, lastError: 'the endpoint is disabled', nextAttemptAt: null } });
    return 'failed';
  }
  const body = JSON.stringify(d.payload);
  const now = new Date();
  const headers = webhookHeaders(d.eventId, now, body, signingSecrets(deps, d.endpoint, now));
  const result = await postWebhook(d.endpoint.url, headers, body, { timeoutMs: deps.config.webhooks.timeoutMs, allowPrivate: deps.config.webhookAllowPrivateUrls });
  const failingSince = d.endpoint.failingSince ?? now;
  const verdict = judgeAttempt({
    statusCode: result.statusCode, position: attempt - d.scheduleOffset, retryDelaysMs: deps.config.webhooks.retryDelaysMs,
    failingSince, now, disableAfterMs: deps.config.webhooks.disableAfterMs,
  });
  const next = verdict.kind === 'retry' ? new Date(Date.now() + withJitter(verdict.delayMs)) : null;

  await deps.db.$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: { deliveryId: d.id, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, response: result.response },
    });
    const delivered = verdict.kind === 'delivered';
    await tx.webhookDelivery.update({
      where: { id: d.id },
      data: {
        attempts: attempt, lastAttemptAt: now, lastStatusCode: result.statusCode, lastError: result.error ?? (delivered ? null : `HTTP ${result.statusCode}`),
        status: verdict.status, nextAttemptAt: next, ...(delivered ? { deliveredAt: new Date() } : {}),
      },
    });
    // The endpoint's failure streak: ended by a delivery, started by the first failure.
    if (delivered && d.endpoint.failingSince) await tx.webhookEndpoint.update({ where: { id: d.endpoint.id }, data: { failingSince: null } });
    if (!delivered && !d.endpoint.failingSince) await tx.webhookEndpoint.update({ where: { id: d.endpoint.id }, data: { failingSince } });
    if (verdict.kind === 'disable-endpoint') await disableEndpoint(tx, d.endpoint, verdict.reason);
  });
  const outcome: AttemptOutcome = verdict.kind === 'delivered' ? 'delivered' : verdict.kind === 'retry' ? 'retry' : 'failed';
  deps.log.info({ deliveryId, endpointId: d.endpoint.id, attempt, status: result.statusCode, latencyMs: result.latencyMs, outcome }, 'webhook attempt');
  if (next) await scheduleAttempt(deps, d.id, attempt + 1, next);
  return outcome;
}

async function disableEndpoint(tx: Tx, endpoint: Pick<WebhookEndpoint, 'id' | 'organizationId' | 'environment'>, reason: string): Promise<void> {
  const { id: endpointId, organizationId, environment } = endpoint;
  await tx.webhookEndpoint.update({ where: { id: endpointId }, data: { isActive: false, disabledReason: reason, disabledAt: new Date() } });
  // Written to the endpoint's delivery log (not sent), so the partner's history shows why it stopped.
  await tx.webhookDelivery.create({
    data: {
      id: newId('whd'), organizationId, environment, endpointId, eventId: newId('msg'), eventType: WEBHOOK_DISABLED,
      payload: { type: WEBHOOK_DISABLED, timestamp: new Date().toISOString(), environment, data: { webhookId: endpointId, reason } },
      status: GIVEN_UP, lastError: reason,
    },
  });
}

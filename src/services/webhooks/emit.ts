// Partner events are written to the outbox in the transaction of the change they report, so an
// event is never lost and never sent for a change that rolled back.
import { newId } from '../../domain/ids';
import type { Environment } from '../../domain/environment';
import type { WebhookEventType, WebhookMessage } from '../../domain/webhook-events';
import type { Payment, Prisma } from '../../generated/prisma/client';
import type { OutboxEntry } from '../outbox/outbox';
import { toPaymentView } from '../payments/view';

/** The outbox row of an event of the organization's `environment`, carrying `data`. */
export function webhookEvent(type: WebhookEventType, scope: { organizationId: string; environment: Environment }, data: Record<string, unknown>, at = new Date()): OutboxEntry {
  const id = newId('msg');
  const message: WebhookMessage = { type, timestamp: at.toISOString(), environment: scope.environment, data };
  return { key: `event-${id}`, kind: 'webhook.event', organizationId: scope.organizationId, payload: { id, message } as unknown as Prisma.InputJsonObject };
}

/** A payment's event. data: the payment as GraphQL shows it, plus what the event adds (balanceAfter, refund…). */
export function paymentEvent(type: WebhookEventType, payment: Payment, extra: Record<string, unknown> = {}): OutboxEntry {
  return webhookEvent(type, payment, { ...JSON.parse(JSON.stringify(toPaymentView(payment))), ...extra });
}

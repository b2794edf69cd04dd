// Partner events are written to the outbox in the transaction of the change they report, so an
// event is never lost and never sent for a change that rolled back.
import { newId } from '../../domain/ids';
import type { WebhookEventType, WebhookMessage } from '../../domain/webhook-events';
import type { Payment, Prisma } from '../../generated/prisma/client';
import type { OutboxEntry } from '../outbox/outbox';
import { toPaymentView } from '../payments/view';

/** The outbox row of an event. data: the payment as GraphQL shows it, plus what the event adds (balanceAfter, refund…). */
export function paymentEvent(type: WebhookEventType, payment: Payment, extra: Record<string, unknown> = {}): OutboxEntry {
  const id = newId('msg');
  const view = toPaymentView(payment);
  const message: WebhookMessage = {
    type,
    timestamp: new Date().toISOString(),
    environment: payment.environment,
    data: { ...JSON.parse(JSON.stringify(view)), ...extra },
  };
  return { key: `event-${id}`, kind: 'webhook.event', organizationId: payment.organizationId, payload: { id, message } as unknown as Prisma.InputJsonObject };
}

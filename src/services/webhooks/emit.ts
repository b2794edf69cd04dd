// Partner events are written to the outbox in the transaction of the change they report, so an
// event is never lost and never sent for a change that rolled back.
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import type { WebhookEventType, WebhookMessage } from '../../domain/webhook-events';
import type { Payment, Prisma } from '../../generated/prisma/client';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';
import { toPaymentView } from '../payments/view';

/** data: the payment as GraphQL shows it, plus what the event adds (balanceAfter, refund…). */
export async function emitPaymentEvent(tx: Tx, type: WebhookEventType, payment: Payment, extra: Record<string, unknown> = {}): Promise<OutboxEntry> {
  const id = newId('msg');
  const view = toPaymentView(payment);
  const message: WebhookMessage = {
    type,
    timestamp: new Date().toISOString(),
    environment: payment.environment,
    data: { ...JSON.parse(JSON.stringify(view)), ...extra },
  };
  return addOutbox(tx, { key: `event-${id}`, kind: 'webhook.event', organizationId: payment.organizationId, payload: { id, message } as unknown as Prisma.InputJsonObject });
}

// Partner events are written to the outbox in the transaction of the change they report, so an
// event is never lost and never sent for a change that rolled back.
import { newId } from '../../domain/ids';
import { formatAmount } from '../../domain/money';
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

/** BALANCE_ADJUSTED: staff moved a balance by hand (an adjustment, a shortfall's debit); `extra` says what for. */
export function balanceAdjustedEvent(
  scope: { organizationId: string; environment: Environment },
  entry: { id: string; clientId: string; amount: { toString(): string }; balanceAfter: { toString(): string }; reason: string | null; at: Date },
  currency: string, actor: string, extra: Record<string, unknown> = {},
): OutboxEntry {
  return webhookEvent('BALANCE_ADJUSTED', scope, {
    clientId: entry.clientId, currency, amount: formatAmount(entry.amount, currency), balanceAfter: formatAmount(entry.balanceAfter, currency),
    reason: entry.reason, ledgerEntryId: entry.id, actor, ...extra,
  }, entry.at);
}

/** A payment's event. data: the payment as GraphQL shows it, plus what the event adds (balanceAfter, refund…). */
export function paymentEvent(type: WebhookEventType, payment: Payment, extra: Record<string, unknown> = {}): OutboxEntry {
  return webhookEvent(type, payment, { ...JSON.parse(JSON.stringify(toPaymentView(payment))), ...extra });
}

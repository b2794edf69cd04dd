// The events partners can subscribe to. The payload shape is public (README, "Webhooks").
import type { Environment } from './environment';

/** BALANCE_ADJUSTED: staff moved a balance by hand (adjustBalance, a shortfall debit). ATTENTION_NEEDED: an item joined the attention queue. */
export const WEBHOOK_EVENTS = ['PAYMENT_RECEIVED', 'PAYMENT_FAILED', 'PAYMENT_CANCELLED', 'PAYMENT_REFUNDED', 'BALANCE_ADJUSTED', 'ATTENTION_NEEDED',
  'SUBSCRIPTION_CREATED', 'SUBSCRIPTION_UPDATED', 'SUBSCRIPTION_PAST_DUE', 'SUBSCRIPTION_CANCELLED', 'SUBSCRIPTION_EXPIRED',
  'AUTO_TOP_UP_FAILED', 'RECEIPT_ISSUED'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Written to an endpoint's delivery log (not sent) when Paygate disables it. */
export const WEBHOOK_DISABLED = 'WEBHOOK_DISABLED';

export function isWebhookEvent(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

export interface WebhookMessage {
  type: WebhookEventType;
  /** ISO-8601 UTC: when the event happened. */
  timestamp: string;
  /** LIVE or TEST: an endpoint receives only its own environment's events. */
  environment: Environment;
  data: Record<string, unknown>;
}

import { formatAmount } from '../../domain/money';
import type { Subscription } from '../../generated/prisma/client';
import type { SubscriptionInterval, SubscriptionStatus } from '../../generated/prisma/enums';

export interface SubscriptionView {
  id: string;
  clientId: string;
  paymentMethodId: string;
  gatewaySubscriptionId: string | null;
  status: SubscriptionStatus;
  amount: string;
  currency: string;
  interval: SubscriptionInterval;
  period: number;
  maxPeriods: number | null;
  description: string;
  requireConfirmation: boolean;
  startDate: Date;
  nextChargeAt: Date | null;
  successfulCharges: number;
  failedCharges: number;
  createdAt: Date;
  cancelledAt: Date | null;
}

export function toSubscriptionView(s: Subscription): SubscriptionView {
  return {
    id: s.id, clientId: s.clientId, paymentMethodId: s.paymentMethodId, gatewaySubscriptionId: s.gatewaySubscriptionId, status: s.status,
    amount: formatAmount(s.amount, s.currency), currency: s.currency, interval: s.interval, period: s.period, maxPeriods: s.maxPeriods,
    description: s.description, requireConfirmation: s.requireConfirmation, startDate: s.startDate, nextChargeAt: s.nextChargeAt,
    successfulCharges: s.successfulCharges, failedCharges: s.failedCharges, createdAt: s.createdAt, cancelledAt: s.cancelledAt,
  };
}

/** A partner event's data: the subscription as GraphQL shows it. */
export const subscriptionEventData = (s: Subscription) => JSON.parse(JSON.stringify(toSubscriptionView(s))) as Record<string, unknown>;

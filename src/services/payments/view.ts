import type { Environment, GatewayType, PaymentStatus } from '../../generated/prisma/enums';
import type { Payment } from '../../generated/prisma/client';
import { formatAmount } from '../../domain/money';
import type { GatewayPayment } from '../../gateways/types';

export interface PaymentView {
  id: string;
  status: PaymentStatus;
  environment: Environment;
  amount: string;
  currency: string;
  clientId: string;
  clubId: string;
  createdAt: Date;
  confirmedAt: Date | null;
  expiresAt: Date;
  gatewayTransactionId: string | null;
  gatewayType: GatewayType;
  refundedAmount: string;
  description: string | null;
  paymentUrl: string | null;
  failureReason: string | null;
  failureCode: string | null;
  /** A recurring charge: its subscription. */
  subscriptionId: string | null;
}

/** What a payment's view is made of: a Prisma row, or the hot path's own read (find-payment.ts). */
export type PaymentViewRow = Pick<Payment, 'id' | 'status' | 'environment' | 'currency' | 'clientId' | 'clubId' | 'createdAt' | 'confirmedAt'
  | 'expiresAt' | 'gatewayTransactionId' | 'gatewayType' | 'description' | 'paymentUrl' | 'failureReason' | 'failureCode' | 'subscriptionId'>
  & { amount: { toString(): string }; refundedAmount: { toString(): string } };

export function toPaymentView(p: PaymentViewRow): PaymentView {
  return {
    id: p.id,
    status: p.status,
    environment: p.environment,
    amount: formatAmount(p.amount, p.currency),
    currency: p.currency,
    clientId: p.clientId,
    clubId: p.clubId,
    createdAt: p.createdAt,
    confirmedAt: p.confirmedAt,
    expiresAt: p.expiresAt,
    gatewayTransactionId: p.gatewayTransactionId,
    gatewayType: p.gatewayType,
    refundedAmount: formatAmount(p.refundedAmount, p.currency),
    description: p.description,
    paymentUrl: p.paymentUrl,
    failureReason: p.failureReason,
    failureCode: p.failureCode,
    subscriptionId: p.subscriptionId,
  };
}

export function toGatewayPayment(p: Payment, email: string | null): GatewayPayment {
  return {
    id: p.id,
    amount: formatAmount(p.amount, p.currency),
    currency: p.currency,
    description: p.description,
    clientId: p.clientId,
    email,
    returnUrl: p.returnUrl,
    expiresAt: p.expiresAt,
    gatewayTransactionId: p.gatewayTransactionId,
    gatewayOrderId: p.gatewayOrderId,
    saveCard: p.saveCard,
  };
}

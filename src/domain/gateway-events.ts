// What gateways say, in Paygate's words: every adapter turns its callbacks and API answers into
// these, and the payment book (domain/book) decides what they mean. Amounts are decimal strings.
import type { SubscriptionStatus } from '../generated/prisma/enums';

/** What the gateway says about a payment, for expiry and reconciliation. */
export type GatewayPaymentState =
  /** unpaid: known to the gateway, nothing paid; pending: payment under way (3-D Secure, partial crypto). */
  | { status: 'unknown' | 'unpaid' | 'pending' }
  /** testMode: whether the gateway says it is a test transaction (absent: it did not say). */
  | { status: 'authorized' | 'confirmed'; transactionId: string; amount: string; currency: string; testMode?: boolean; fee?: string; card?: CardFacts }
  | { status: 'failed'; transactionId?: string; reason: string; reasonCode?: string }
  | { status: 'cancelled' };

interface PaymentFacts {
  invoiceId?: string;
  accountId?: string;
  amount: string;
  currency?: string;
  transactionId: string;
  /** A recurring charge: the gateway's subscription it was made for (CloudPayments SubscriptionId). */
  subscriptionId?: string;
}

export type GatewayEvent =
  /** testMode: the gateway's word on whether this is a test transaction (absent: it did not say). */
  | ({ kind: 'check'; testMode?: boolean } & PaymentFacts)
  /** fee: the gateway's fee for the transaction as it sent it (unchecked text; the book judges it). */
  | ({ kind: 'authorized' | 'confirmed'; card?: CardFacts; testMode?: boolean; note?: string; details?: Record<string, string>; fee?: string;
      /** The card token the gateway issued (secret: services seal it or drop it before the book sees the event). */
      token?: CardToken } & PaymentFacts)
  /** Something happened that moves no money yet (a partial crypto payment): recorded in history and metadata. */
  | { kind: 'progress'; invoiceId?: string; note: string; details: Record<string, string> }
  | ({ kind: 'failed'; reason: string; reasonCode?: string; card?: CardFacts } & PaymentFacts)
  | { kind: 'refunded'; invoiceId?: string; paymentTransactionId: string; gatewayRefundId: string; amount: string; refundId?: string }
  | { kind: 'cancelled'; invoiceId?: string; transactionId: string; amount: string }
  | { kind: 'ignored'; note: string }
  /** What the gateway says a subscription is now (CloudPayments Recurrent); not about a payment. */
  | { kind: 'subscription'; subscriptionId: string; accountId: string; amount: string; currency: string; status: SubscriptionStatus | null;
      statusText: string; successfulCharges: number; failedCharges: number; lastTransactionAt: Date | null; nextChargeAt: Date | null }
  /** A cash register printed a receipt (CloudKassir's Receipt notification): its fiscal data. */
  | { kind: 'receipt'; fiscal: FiscalFacts; invoiceId?: string };

/** What a printed 54-FZ receipt carries; externalId is CloudKassir's receipt id. */
export interface FiscalFacts {
  externalId?: string;
  fiscalNumber?: string;
  fiscalSign?: string;
  documentNumber?: string;
  url?: string;
  qrCodeUrl?: string;
}

/** A card token and the card's expiry (MM/YY) as the gateway reported them. */
export interface CardToken {
  token: string;
  expiry?: string;
}

export interface CardFacts {
  firstSix?: string;
  lastFour?: string;
  type?: string;
}

/** Why a Check is declined; each gateway maps these to its own answer codes. */
/** WRONG_ENVIRONMENT: a test card for a LIVE payment, or a real one for a TEST payment. */
export type DeclineReason = 'UNKNOWN_INVOICE' | 'ACCOUNT_MISMATCH' | 'AMOUNT_MISMATCH' | 'NOT_PAYABLE' | 'EXPIRED' | 'WRONG_ENVIRONMENT';
export type CallbackOutcome =
  | { result: 'ok' }
  | { result: 'declined'; reason: DeclineReason }
  /** Unsigned or badly signed. */
  | { result: 'rejected' }
  /** Signed but not readable: nothing applied, kept for a person; the gateway must stop sending it. */
  | { result: 'unreadable' }
  | { result: 'retry' };

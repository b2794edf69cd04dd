// The one interface every gateway implements. Adding a gateway = one folder + one registry line
// (and the GatewayType value in prisma/schema.prisma). An adapter declares everything about its
// gateway here: where its API is, which credentials and settings it takes, its callback URLs and
// what may be kept of a callback, and what it can do (an optional method present = a capability).
// Adapters are stateless and I/O-narrow: they get decrypted credentials and a base URL, speak
// HTTP to their gateway, and never touch the database, queues or config.
import type { Logger } from '../log';
import type { Environment, GatewayType, SubscriptionInterval, SubscriptionStatus } from '../generated/prisma/enums';
import type { CallbackOutcome, FiscalFacts, GatewayEvent, GatewayPaymentState } from '../domain/gateway-events';
import type { KeptFields } from './callback-body';

export type { GatewayType };
export type { CallbackOutcome, CardFacts, DeclineReason, FiscalFacts, GatewayEvent, GatewayPaymentState } from '../domain/gateway-events';

export type SignatureVerdict = 'VALID' | 'INVALID' | 'MISSING';
/** What became of a callback: signed and readable (VALID), or why not. */
export type CallbackVerdict = SignatureVerdict | 'UNREADABLE';

/**
 * What an adapter makes of a callback. It verifies first: only a VALID callback carries an event.
 * `kept` is what may be stored of the body (the adapter's allow-list), whatever the verdict.
 */
export type ParsedCallback =
  | { verdict: 'VALID'; event: GatewayEvent; kept: KeptFields }
  /** Signed, but the gateway could not be asked to confirm it: the gateway should send it again. */
  | { verdict: 'VALID'; retryLater: string; kept: KeptFields }
  | { verdict: 'MISSING' | 'INVALID' | 'UNREADABLE'; problem: string; kept: KeptFields };

/**
 * Where the gateway's API is: an environment variable with its default (tests point it at a
 * simulator), or a path on Paygate itself, where the sandbox emulates the gateway.
 */
export type GatewayApi = { readonly env: string; readonly default: string } | { readonly emulatedAt: string };

export interface GatewayCredentials {
  readonly gatewayId: string;
  readonly publicId: string;
  readonly apiSecret: string;
  readonly webhookSecret?: string;
  readonly twoStage: boolean;
  /** What the adapter's settings() accepted when the gateway was configured (besides twoStage). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** The settings configurePaymentGateway takes, as given (absent = not given). Each adapter says which apply to it. */
export interface GatewaySettingsInput {
  twoStage?: boolean;
  availableCurrencies?: readonly string[];
  cryptocurrency?: string;
}

export type SettingsResult =
  | { ok: true; twoStage?: boolean; settings: Record<string, unknown> }
  | { ok: false; message: string; field: keyof GatewaySettingsInput };

export interface AdapterEnv {
  /** The gateway's API; tests point it at simulators. */
  readonly baseUrl: string;
  /** Paygate's own public base URL. */
  readonly publicUrl: string;
  readonly log: Logger;
}

/** A payment as adapters see it. Amounts are decimal strings. */
export interface GatewayPayment {
  readonly id: string;
  readonly amount: string;
  readonly currency: string;
  readonly description: string | null;
  readonly clientId: string;
  readonly email: string | null;
  readonly returnUrl: string | null;
  readonly expiresAt: Date;
  readonly gatewayTransactionId: string | null;
  readonly gatewayOrderId: string | null;
  /** The payer agreed to have the card saved (the gateway is asked to tokenize it). */
  readonly saveCard?: boolean;
}

/**
 * What a CRM frontend or mobile app needs to open the gateway's widget in place (no redirect), as
 * the API shows it: the merchant's public id, the payment, and one-stage (Single) or two-stage (Dual).
 */
export interface WidgetParams {
  readonly publicId: string;
  readonly amount: string;
  readonly currency: string;
  readonly description: string;
  readonly invoiceId: string;
  readonly externalId: string;
  readonly accountId: string;
  readonly email: string | null;
  readonly paymentSchema: 'Single' | 'Dual';
  /** Ask the widget to tokenize the card (the payer agreed to have it saved). */
  readonly tokenize: boolean;
}

/** Who starts a charge of a stored card: the cardholder (one click), or the merchant (TrInitiatorCode 1 / 0). */
export type ChargeInitiator = 'cardholder' | 'merchant';

export interface CreatedPayment {
  readonly paymentUrl: string;
  readonly gatewayOrderId?: string;
  /** Where the gateway names the money movement at creation (a CryptoCloud invoice uuid). */
  readonly gatewayTransactionId?: string;
}

/** Declines are data, exceptions are for faults (GatewayError). */
export type RefundResult = { ok: true; gatewayRefundId: string } | { ok: false; reason: string; gatewayCode?: string };
export type OperationResult = { ok: true } | { ok: false; reason: string };

export interface CallbackRequest {
  /** The notification kind named by the URL; the body must agree. */
  readonly kind: string;
  readonly rawBody: Buffer;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface GatewayCallbacks {
  /** First path segment of the callback routes: /payments/<protocol>/<gatewayId>/<kind>. */
  readonly protocol: string;
  readonly kinds: readonly string[];
  /** The networks the gateway documents as the source of its callbacks (CIDR), for the optional allow-list. */
  readonly sourceNetworks: readonly string[];
  /**
   * Where a gateway's dashboard takes one URL for every notification (/payments/<protocol>/callback):
   * what the body itself says it is and names, read before any signature is checked, only to find
   * the gateways whose secret may verify it. Null when the body says nothing usable.
   */
  readonly shared?: { locate(request: { rawBody: Buffer; contentType: string }): SharedCallbackRef | null };
}

/** What an unverified body names: its kind, the payment (our InvoiceId) or the gateway's transaction ids. */
export interface SharedCallbackRef {
  readonly kind: string;
  readonly invoiceId?: string;
  readonly transactionIds: readonly string[];
  /** What may be stored of the body (the adapter's allow-list), should nothing verify it. */
  readonly kept: KeptFields;
}

export interface GatewayAdapter {
  readonly type: GatewayType;
  readonly displayName: string;
  readonly api: GatewayApi;
  /** The environments its accounts can serve; the first is the default. A test-only gateway lists TEST alone. */
  readonly environments: readonly Environment[];
  /** The ISO 4217 currencies a top-up may be in (each needs its minor units in domain/money). */
  readonly currencies: readonly string[];
  /** Whether callbacks are signed with a secret of their own ('required'), or with the API secret ('unused'). */
  readonly webhookSecret: 'required' | 'unused';
  readonly callbacks: GatewayCallbacks;
  /** The settings that apply to this gateway, checked and normalised; a clear refusal of any other. */
  settings(input: GatewaySettingsInput): SettingsResult;
  /** Checks the credentials with the gateway before they are stored: false when it refuses them. */
  verifyCredentials(env: AdapterEnv, creds: GatewayCredentials): Promise<boolean>;
  /** Verifies the signature first, then reads the body strictly; never throws for what the body says. */
  parseCallback(env: AdapterEnv, creds: GatewayCredentials, request: CallbackRequest): Promise<ParsedCallback>;
  answerCallback(kind: string, outcome: CallbackOutcome): HttpAnswer;
  createPayment(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment): Promise<CreatedPayment>;
  getPayment(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment): Promise<GatewayPaymentState>;
  /** Stops a pending payment from being paid (cancel the order or invoice). */
  cancel(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment): Promise<void>;

  // Capabilities: a gateway that lacks one leaves the method out.
  /** Many payments in one call (keyed by payment id), for reconciliation sweeps. */
  getPayments?(env: AdapterEnv, creds: GatewayCredentials, payments: GatewayPayment[]): Promise<Map<string, GatewayPaymentState>>;
  /** Sends money back. */
  refund?(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment, refund: { id: string; amount: string }): Promise<RefundResult>;
  /** Two-stage: takes (part of) the money held by an authorization. */
  capture?(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment, amount: string): Promise<OperationResult>;
  /** Two-stage: releases the money held by an authorization. */
  void?(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment): Promise<OperationResult>;
  /** Parameters for the gateway's in-page widget. */
  widget?(creds: GatewayCredentials, payment: GatewayPayment): WidgetParams;
  /**
   * Charges a saved card (its token) for the payment, one-stage. The answer is the transaction's
   * state: confirmed, or failed with the decline; a fault (no answer, a refusal without a
   * transaction) is a GatewayError and the payment's fate is left to reconciliation.
   */
  chargeToken?(env: AdapterEnv, creds: GatewayCredentials, payment: GatewayPayment, token: string, initiator: ChargeInitiator): Promise<GatewayPaymentState>;
  /**
   * Recurring billing of a saved card at the gateway. `requestId` makes a retry after a lost
   * answer the same create. A refusal is data; a fault (no answer) is a GatewayError and whether
   * the subscription exists is found out with findSubscriptions.
   */
  createSubscription?(env: AdapterEnv, creds: GatewayCredentials, terms: SubscriptionTerms, requestId: string): Promise<SubscriptionResult>;
  /** One subscription by the gateway's id; null when the gateway does not know it. */
  getSubscription?(env: AdapterEnv, creds: GatewayCredentials, gatewaySubscriptionId: string): Promise<GatewaySubscription | null>;
  /** Every subscription of an account (our client id). */
  findSubscriptions?(env: AdapterEnv, creds: GatewayCredentials, accountId: string): Promise<GatewaySubscription[]>;
  /** Changes the terms (CloudPayments re-activates an ended subscription on any change: callers never ask for one). */
  updateSubscription?(env: AdapterEnv, creds: GatewayCredentials, gatewaySubscriptionId: string, changes: SubscriptionChanges): Promise<SubscriptionResult>;
  /** Stops the charges. */
  cancelSubscription?(env: AdapterEnv, creds: GatewayCredentials, gatewaySubscriptionId: string): Promise<OperationResult>;
  /**
   * Sends a 54-FZ receipt to the cash register (CloudKassir kkt/receipt). `requestId` makes a
   * repeat of the same request harmless. Queued: the fiscal data follows (a Receipt notification,
   * or getReceipt); refused: the register's message. A fault is a GatewayError.
   */
  issueReceipt?(env: AdapterEnv, creds: GatewayCredentials, receipt: GatewayReceipt, requestId: string): Promise<ReceiptAnswer>;
  /** The fiscal data of a receipt the register queued (kkt/receipt/get); null while not printed yet. */
  getReceipt?(env: AdapterEnv, creds: GatewayCredentials, externalId: string): Promise<FiscalData | null>;
}

/** What a subscription charges, how often and from when (the gateway's first charge is at startDate). */
export interface SubscriptionTerms {
  readonly accountId: string;
  readonly token: string;
  readonly description: string;
  readonly email: string | null;
  readonly amount: string;
  readonly currency: string;
  readonly requireConfirmation: boolean;
  readonly startDate: Date;
  readonly interval: SubscriptionInterval;
  readonly period: number;
  readonly maxPeriods: number | null;
}

export type SubscriptionChanges = Partial<Pick<SubscriptionTerms, 'amount' | 'description' | 'interval' | 'period' | 'maxPeriods'>>;

/** A subscription as the gateway reports it (status null: a status Paygate does not know). */
export interface GatewaySubscription {
  readonly id: string;
  readonly accountId: string;
  readonly status: SubscriptionStatus | null;
  readonly statusText: string;
  readonly amount: string;
  readonly currency: string;
  readonly interval: SubscriptionInterval | null;
  readonly period: number;
  readonly startDate: Date | null;
  readonly successfulCharges: number;
  readonly failedCharges: number;
  readonly lastTransactionAt: Date | null;
  readonly nextChargeAt: Date | null;
}

export type SubscriptionResult = { ok: true; subscription: GatewaySubscription } | { ok: false; reason: string };

export interface GatewayReceipt {
  inn: string;
  type: 'INCOME' | 'INCOME_RETURN';
  invoiceId?: string;
  accountId?: string;
  /** The CustomerReceipt as domain/receipts builds it (decimal strings). */
  customerReceipt: { Items: { label: string; price: string; quantity: string; amount: string; vat: number | null; method: number; object: number }[];
    taxationSystem: number; email?: string; phone?: string; amounts: { electronic?: string; advancePayment?: string } };
}

export type ReceiptAnswer = { ok: true; externalId: string } | { ok: false; reason: string };

export type FiscalData = FiscalFacts;

export const sharedCallbackPath = (protocol: string) => `/payments/${protocol}/callback`;

/** Every URL the gateway may call back: one per kind, and the shared one where the gateway has it. */
export function callbackPaths(adapter: GatewayAdapter, gatewayId: string): string[] {
  const { protocol, kinds, shared } = adapter.callbacks;
  return [...kinds.map((kind) => `/payments/${protocol}/${gatewayId}/${kind}`), ...(shared ? [sharedCallbackPath(protocol)] : [])];
}

/** A transport or protocol failure talking to a gateway (not a decline). */
export class GatewayError extends Error {
  /** The gateway's HTTP status, when it answered at all. */
  readonly httpStatus?: number;

  constructor(message: string, readonly retryable: boolean, options: { cause?: unknown; httpStatus?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.httpStatus = options.httpStatus;
  }

  /** The gateway refused the credentials themselves. */
  get unauthorized(): boolean {
    return this.httpStatus === 401 || this.httpStatus === 403;
  }
}

// The payment book's vocabulary: what it is shown (a payment snapshot with its refunds), what it
// is asked (one input), and what it answers (a decision). Pure data: the book never does I/O.
import type { AttentionRaise } from '../attention';
import type { CallbackOutcome, CardFacts, GatewayEvent, GatewayPaymentState } from '../gateway-events';
import type { Decimal } from '../money';
import type { Environment } from '../environment';
import type { Cause, PaymentStatus } from '../payment-state';
import type { WebhookEventType } from '../webhook-events';

export interface RefundSnapshot {
  readonly id: string;
  readonly status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  readonly amount: Decimal;
  readonly gatewayRefundId: string | null;
  readonly reason: string | null;
}

export interface PaymentSnapshot {
  readonly id: string;
  readonly status: PaymentStatus;
  /** LIVE or TEST: which balance it credits, and which cards may pay it. */
  readonly environment: Environment;
  /** What the payment is for; after a capture, what was captured. */
  readonly amount: Decimal;
  readonly currency: string;
  readonly clientId: string;
  readonly clientActive: boolean;
  /** The currency the client's balances are kept in (null: the client is gone). */
  readonly clientCurrency: string | null;
  readonly gatewayTransactionId: string | null;
  readonly authorizedAmount: Decimal | null;
  readonly captureAmount: Decimal | null;
  readonly expiresAt: Date;
  readonly failureCode: string | null;
  /** What refund bookings have taken back so far. */
  readonly refundedAmount: Decimal;
  readonly restrictRefund: boolean;
  /** Hidden by staff (deletePayments): money arriving for it still stands, and shows it again. */
  readonly deleted: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Every refund of the payment (loaded where a decision is about refunds). */
  readonly refunds: readonly RefundSnapshot[];
  /** The newest history entry, to tell news from a repeat. */
  readonly lastEntry: { readonly code: HistoryCode; readonly key: string | null } | null;
  /** The payer agreed to have the card saved: a token the gateway issues for it is kept. */
  readonly saveCard: boolean;
  /** What the payment's named items add up to (a receipt prints them); null: the default line, which follows the amount. */
  readonly itemsTotal: Decimal | null;
}

/**
 * A card token as the book sees it: already sealed (AES-256-GCM, bound to the saved method's id)
 * and fingerprinted by the service, so no decision, history entry or log ever holds the token.
 */
export interface SealedCard {
  readonly id: string;
  readonly fingerprint: string;
  readonly tokenEncrypted: string;
  readonly firstSix?: string;
  readonly lastFour?: string;
  readonly brand?: string;
  /** The end of the card's expiry month. */
  readonly expiresAt: Date;
}

/** Why an entry is in a payment's history: for code, never the text. */
export type HistoryCode =
  | 'INITIATED' | 'PAID' | 'AUTHORIZED' | 'CAPTURED' | 'PAID_AFTER_CLOSE' | 'DECLINED' | 'CANCELLED_AT_GATEWAY'
  | 'VOIDED' | 'CANCELLED_BY_API' | 'EXPIRED' | 'NO_PAYMENT_PAGE' | 'NOT_CHARGED' | 'REFUND_BOOKED'
  | 'AMOUNT_MISMATCH' | 'SECOND_PAYMENT' | 'TRANSACTION_HELD_ELSEWHERE' | 'PROGRESS' | 'CAPTURE_ASKED' | 'CAPTURE_REFUSED'
  | 'VOID_REFUSED' | 'REFUND_AMOUNT_MISMATCH' | 'REFUND_EXCEEDS_LEFT' | 'TEST_CARD_ON_LIVE' | 'LIVE_CARD_ON_TEST' | 'CURRENCY_MISMATCH' | 'LEGACY'
  | 'EDIT' | 'DELETED' | 'MARKED_PAID' | 'DOUBLE_PAYMENT' | 'MANUAL_PAYMENT' | 'REFUND_OF_UNCREDITED' | 'SHORTFALL_RESOLVED';

export interface HistoryEntry {
  readonly code: HistoryCode;
  /** For people. */
  readonly text: string;
  /** Entries with the same code and key in a row are one piece of news. */
  readonly key?: string;
  readonly data?: Record<string, unknown>;
}

/** Columns a decision sets besides the status; null clears. Amounts are decimals. */
export interface PaymentPatch {
  gatewayTransactionId?: string;
  amount?: Decimal;
  authorizedAmount?: Decimal;
  captureAmount?: Decimal | null;
  capturedAmount?: Decimal | null;
  refundedAmount?: Decimal;
  confirmedAt?: Date;
  authorizedAt?: Date;
  failureReason?: string | null;
  failureCode?: string | null;
  /** Set by deletePayments; cleared when a deleted payment is paid after all (it is shown again). */
  deletedAt?: Date | null;
  /** A payment document staff name when they confirm a payment (markPaymentPaid). */
  documentNumber?: string;
  /** Merged into the payment's metadata. */
  metadata?: Record<string, string>;
  /** The gateway's fee (null: unknown). */
  fee?: Decimal | null;
}

export interface PaymentChange {
  /** The new status; absent: the status stays. */
  readonly to?: PaymentStatus;
  readonly cause: Cause;
  readonly patch: PaymentPatch;
}

/** What is to be done beside the payment row, in the same transaction (or, for `ask`, after it). */
export type Effect =
  /** Book the payment on the client's balance (the credit job, through the outbox). */
  | { readonly kind: 'credit' }
  /** A partner event (the client's balance after the decision added where it moved or was read). */
  | { readonly kind: 'emit'; readonly event: WebhookEventType; readonly extra?: Record<string, unknown>; readonly withBalance?: boolean }
  /** A refund of ours is done at the gateway (or by hand, for a MANUAL payment: no gateway id): settle it and book it. */
  | { readonly kind: 'settle-refund'; readonly refundId: string; readonly gatewayRefundId: string | null; readonly status: 'SUCCEEDED' }
  /** The gateway refused our refund: release its reservation. */
  | { readonly kind: 'fail-refund'; readonly refundId: string; readonly reason: string; readonly status: 'FAILED' }
  /** A refund the gateway made on its own (its dashboard): record it and book it. */
  | { readonly kind: 'record-refund'; readonly amount: Decimal; readonly gatewayRefundId: string; readonly status: 'SUCCEEDED' }
  /** Reserve a refund of this amount against the payment, then ask the gateway. */
  | { readonly kind: 'reserve-refund'; readonly amount: Decimal }
  /** Move money on the client's balance (signed), for this payment or refund. */
  | { readonly kind: 'post'; readonly ledgerKind: 'TOP_UP' | 'REFUND'; readonly amount: Decimal; readonly refundId?: string; readonly reason: string }
  | { readonly kind: 'set-shortfall'; readonly refundId: string; readonly shortfall: Decimal }
  /** Raise an item of the attention queue (once per its dedupe key), with an ATTENTION_NEEDED event. */
  | { readonly kind: 'attention'; readonly item: AttentionRaise }
  /**
   * Keep the card the payer agreed to save as the client's saved payment method (once per token).
   * keepDeleted: a card staff deleted stays deleted (a late or repeated Pay of an already-paid payment).
   */
  | { readonly kind: 'save-card'; readonly card: SealedCard; readonly keepDeleted?: boolean }
  /** After commit: ask the gateway to do this, and bring its answer back to the book. */
  | { readonly kind: 'ask'; readonly action: 'capture' | 'void' | 'cancel-page'; readonly amount?: Decimal };

/** A refusal of a staff command: nothing changes, the caller hears why. */
export interface Refusal {
  readonly code: 'BAD_USER_INPUT' | 'CONFLICT';
  readonly message: string;
  readonly field?: string;
  readonly details?: Record<string, unknown>;
}

export interface Decision {
  readonly change: PaymentChange | null;
  readonly history: readonly HistoryEntry[];
  readonly effects: readonly Effect[];
  /** What a callback is answered. */
  readonly answer: CallbackOutcome;
  /** Something a person must look at, for the log (the queue's item is an `attention` effect). */
  readonly attention: string | null;
  readonly refusal: Refusal | null;
}

/** How the gateway's word reached us, for history ("reconciled with the gateway"). */
/** charge: the gateway's synchronous answer to a charge of a saved card. */
export type Source = 'callback' | 'reconciliation' | 'expiry' | 'charge';

export type BookInput =
  | { readonly kind: 'gateway-event'; readonly event: Exclude<GatewayEvent, { kind: 'ignored' | 'subscription' | 'receipt' }>; readonly source: Source; readonly now: Date;
      /** Another payment of the same gateway that already holds the event's transaction id. */
      readonly transactionHeldBy?: string | null;
      /** The token the event carried, sealed (the event itself no longer holds it). */
      readonly card?: SealedCard }
  | { readonly kind: 'gateway-state'; readonly state: GatewayPaymentState; readonly source: Source; readonly now: Date; readonly transactionHeldBy?: string | null }
  | { readonly kind: 'capture'; readonly amount: Decimal | null }
  | { readonly kind: 'capture-answered'; readonly amount: Decimal; readonly ok: boolean; readonly reason?: string; readonly now: Date }
  | { readonly kind: 'void' }
  | { readonly kind: 'void-answered'; readonly ok: boolean; readonly reason?: string }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'delete'; readonly now: Date }
  /** Staff confirm a PENDING payment whose money came another way; its page at the gateway was cancelled first. */
  | { readonly kind: 'mark-paid'; readonly reason: string; readonly documentNumber: string | null; readonly now: Date }
  | { readonly kind: 'expire'; readonly reason?: string }
  | { readonly kind: 'no-payment-page'; readonly reason: string }
  /** A saved card's charge that was never sent (the card was deleted or expired meanwhile). */
  | { readonly kind: 'not-charged'; readonly reason: string }
  | { readonly kind: 'refund-request'; readonly amount: Decimal | null; readonly refundsSupported: boolean; readonly gatewayName: string; readonly balance?: Decimal }
  | { readonly kind: 'refund-answered'; readonly refundId: string; readonly ok: boolean; readonly gatewayRefundId?: string; readonly reason?: string }
  | { readonly kind: 'refund-booking'; readonly refundId: string; readonly balance: Decimal; readonly credited: boolean }
  | { readonly kind: 'credit' };

export type { CardFacts, GatewayEvent, GatewayPaymentState };

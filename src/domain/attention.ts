// The attention queue's vocabulary: what kinds of things need a person, how one is told apart from
// a duplicate of itself (its dedupe key), and what may be done with an item. Pure.
import { AppError, badInput } from './errors';

export const ATTENTION_KINDS = [
  'UNKNOWN_INVOICE', 'AMOUNT_MISMATCH', 'DOUBLE_PAYMENT', 'REFUND_EXCEEDS', 'REFUND_MISMATCH', 'OUTBOX_STUCK',
  'TEST_CARD_ON_LIVE', 'LIVE_CARD_ON_TEST', 'TRANSACTION_HELD_ELSEWHERE', 'CURRENCY_MISMATCH', 'UNREADABLE_CALLBACK', 'SHORTFALL', 'REFUND_OF_UNCREDITED',
  'UNKNOWN_SUBSCRIPTION', 'SUBSCRIPTION_DRIFT', 'RECEIPT_UNCONFIRMED',
] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** Evidence is flat and plain: ids, texts, amounts as decimal strings. Never secrets or card data. */
export type Evidence = Readonly<Record<string, string | number | boolean | null>>;

/** An item to raise. `key` tells it from others of its kind about the same subject (a transaction id, a body's hash…). */
export interface AttentionRaise {
  readonly kind: AttentionKind;
  readonly key: string;
  readonly evidence: Evidence;
  readonly refundId?: string;
}

/**
 * One item per kind, subject (the payment, or for what names none the gateway or outbox row) and
 * key: racing duplicates of one callback raise one item.
 */
export function dedupeKey(kind: AttentionKind, subject: string, key: string): string {
  return `${kind}:${subject}:${key}`.slice(0, 300);
}

/** A note that closes an item: trimmed, 1..2000 characters. */
export const MAX_ATTENTION_NOTE = 2000;

/** Whether staff may close an item with resolveAttentionItem; the error when not. */
export function resolutionRefusal(item: { id: string; kind: string; resolvedAt: Date | null }): AppError | null {
  if (item.resolvedAt) return new AppError('CONFLICT', `attention item ${item.id} is already resolved`);
  // A shortfall's truth is its refund: it closes with the refund's resolution, never apart from it.
  if (item.kind === 'SHORTFALL') return badInput(`attention item ${item.id} is a refund shortfall: close it with resolveShortfall`, 'id');
  return null;
}

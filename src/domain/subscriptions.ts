// Subscriptions (recurring billing at the gateway): their schedule arithmetic, and what a
// gateway's word about one (a Recurrent notification, a subscriptions/find answer) changes. Pure.
import type { SubscriptionInterval, SubscriptionStatus } from '../generated/prisma/enums';
import type { WebhookEventType } from './webhook-events';

export const MAX_PERIOD = 365;

/** `date` plus `period` intervals, in UTC; a month keeps the day of the month where it exists (31 Jan + 1 month = 28/29 Feb). */
export function addPeriods(date: Date, interval: SubscriptionInterval, period: number): Date {
  const d = new Date(date.getTime());
  if (interval === 'DAY') d.setUTCDate(d.getUTCDate() + period);
  else if (interval === 'WEEK') d.setUTCDate(d.getUTCDate() + 7 * period);
  else {
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + period);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
  }
  return d;
}

/** Statuses after which the gateway charges no more; only a new subscription bills the client again. */
export const ENDED: readonly SubscriptionStatus[] = ['CANCELLED', 'REJECTED', 'EXPIRED'];
export const hasEnded = (status: SubscriptionStatus) => ENDED.includes(status);

/** CloudPayments' subscription status names (docs/gateways.md 1.5) in ours; null for one we do not know. */
export function statusFromGateway(name: string): SubscriptionStatus | null {
  const map: Record<string, SubscriptionStatus> = { Active: 'ACTIVE', PastDue: 'PAST_DUE', Cancelled: 'CANCELLED', Rejected: 'REJECTED', Expired: 'EXPIRED' };
  return map[name] ?? null;
}

/** What the gateway says a subscription is now. */
export interface SubscriptionWord {
  status: SubscriptionStatus;
  successfulCharges: number;
  failedCharges: number;
  lastTransactionAt: Date | null;
  nextChargeAt: Date | null;
}

export type WordDecision =
  | { apply: false; why: 'duplicate' | 'stale' }
  | { apply: true; patch: SubscriptionWord; events: WebhookEventType[] };

/**
 * Whether a gateway's word is newer than what is stored, and what it changes. CloudPayments sends
 * Recurrent notifications again until answered, and in no promised order, so each is ordered by
 * what only grows: the last transaction's date, then the count of successful charges (the failed
 * count starts again after each success, so it only orders words about the same last
 * transaction), then whether the subscription has ended (a cancel moves no money, but nothing
 * comes after it). An older word changes nothing; one equal in all of these and in status is a
 * repeat. An ended subscription never comes back to life from a word that does not say so with a
 * newer transaction (the gateway's own update would re-activate it: Paygate never asks for that).
 */
export function decideWord(stored: SubscriptionWord, word: SubscriptionWord): WordDecision {
  const order = (s: SubscriptionWord) => [s.lastTransactionAt?.getTime() ?? 0, s.successfulCharges, hasEnded(s.status) ? 1 : 0, s.failedCharges];
  const [a, b] = [order(stored), order(word)];
  const cmp = a.reduce((c, v, i) => (c !== 0 ? c : Math.sign(b[i] - v)), 0);
  if (cmp < 0) return { apply: false, why: 'stale' };
  if (cmp === 0 && stored.status === word.status && sameTime(stored.nextChargeAt, word.nextChargeAt)) return { apply: false, why: 'duplicate' };
  if (cmp === 0 && hasEnded(stored.status) && !hasEnded(word.status)) return { apply: false, why: 'stale' };
  return { apply: true, patch: word, events: stored.status === word.status ? [] : [statusEvent(word.status)] };
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** The partner event for a subscription that moved to `status` (REJECTED, the gateway giving up after failures, is an update). */
export function statusEvent(status: SubscriptionStatus): WebhookEventType {
  switch (status) {
    case 'PAST_DUE': return 'SUBSCRIPTION_PAST_DUE';
    case 'CANCELLED': return 'SUBSCRIPTION_CANCELLED';
    case 'EXPIRED': return 'SUBSCRIPTION_EXPIRED';
    default: return 'SUBSCRIPTION_UPDATED';
  }
}

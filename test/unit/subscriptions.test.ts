// The pure rules of subscriptions: schedule arithmetic and the ordering of the gateway's words.
import { addPeriods, decideWord, type SubscriptionWord } from '../../src/domain/subscriptions';

const at = (iso: string) => new Date(iso);
const word = (over: Partial<SubscriptionWord> = {}): SubscriptionWord => ({
  status: 'ACTIVE', successfulCharges: 2, failedCharges: 0, lastTransactionAt: at('2026-12-01T10:00:00Z'), nextChargeAt: at('2026-12-08T10:00:00Z'), ...over,
});

describe('addPeriods', () => {
  it.each([
    ['2026-01-31T12:00:00.000Z', 'MONTH', 1, '2026-02-28T12:00:00.000Z'],
    ['2028-01-31T12:00:00.000Z', 'MONTH', 1, '2028-02-29T12:00:00.000Z'],
    ['2026-12-15T00:00:00.000Z', 'MONTH', 3, '2027-03-15T00:00:00.000Z'],
    ['2026-12-31T23:00:00.000Z', 'DAY', 1, '2027-01-01T23:00:00.000Z'],
    ['2026-12-01T00:00:00.000Z', 'WEEK', 2, '2026-12-15T00:00:00.000Z'],
  ] as const)('%s + %s × %i = %s', (from, interval, period, expected) => {
    expect(addPeriods(at(from), interval, period).toISOString()).toBe(expected);
  });
});

describe('decideWord', () => {
  it.each<[string, Partial<SubscriptionWord>, Partial<SubscriptionWord>, 'apply' | 'stale' | 'duplicate', string[]]>([
    ['the same word again', {}, {}, 'duplicate', []],
    ['a newer transaction', {}, { successfulCharges: 3, lastTransactionAt: at('2026-12-08T10:00:00Z') }, 'apply', []],
    ['an older transaction', {}, { successfulCharges: 1, lastTransactionAt: at('2026-11-24T10:00:00Z') }, 'stale', []],
    ['a failure after the last success', {}, { status: 'PAST_DUE', failedCharges: 1, lastTransactionAt: at('2026-12-08T10:00:00Z') }, 'apply', ['SUBSCRIPTION_PAST_DUE']],
    ['a second failure of the same transaction date reordered before the first', { status: 'PAST_DUE', failedCharges: 2 }, { status: 'PAST_DUE', failedCharges: 1 }, 'stale', []],
    ['a cancel (no transaction)', {}, { status: 'CANCELLED', nextChargeAt: null }, 'apply', ['SUBSCRIPTION_CANCELLED']],
    ['active again after a cancel, without a newer transaction', { status: 'CANCELLED', nextChargeAt: null }, {}, 'stale', []],
    ['a word without a transaction date after charges', {}, { lastTransactionAt: null, successfulCharges: 5 }, 'stale', []],
    ['rejected after the third failure', { status: 'PAST_DUE', failedCharges: 2 }, { status: 'REJECTED', failedCharges: 3, lastTransactionAt: at('2026-12-02T10:00:00Z') }, 'apply', ['SUBSCRIPTION_UPDATED']],
    ['expired at the last charge', {}, { status: 'EXPIRED', successfulCharges: 3, lastTransactionAt: at('2026-12-08T10:00:00Z'), nextChargeAt: null }, 'apply', ['SUBSCRIPTION_EXPIRED']],
  ])('%s', (_name, stored, given, expected, events) => {
    const d = decideWord(word(stored), word(given));
    expect(d.apply ? 'apply' : d.why).toBe(expected);
    if (d.apply) expect(d.events).toEqual(events);
  });
});

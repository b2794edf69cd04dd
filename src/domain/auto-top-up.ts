// Auto top-up: whether a debit starts a merchant-initiated charge of the client's saved card, and
// the rule's settings as setAutoTopUp takes them. Pure: the trigger (services/auto-top-up) loads
// the rule under the client's row lock and asks here.
import { badInput } from './errors';
import { parseAmount, type Decimal } from './money';
import { OPEN, type PaymentStatus } from './payment-state';

export const DEFAULT_DAILY_LIMIT = 3;
export const MAX_DAILY_LIMIT = 24;

/** The idempotency key of the payment a trigger (the debit's ledger entry) starts: one payment per trigger. */
export const AUTO_TOP_UP_KEY_PREFIX = 'auto-top-up:';
export const autoTopUpPaymentKey = (trigger: string) => `${AUTO_TOP_UP_KEY_PREFIX}${trigger}`;
export const triggerOfPaymentKey = (key: string | null): string | null => (key?.startsWith(AUTO_TOP_UP_KEY_PREFIX) ? key.slice(AUTO_TOP_UP_KEY_PREFIX.length) : null);

/** Days are counted in UTC: the same boundary for every organization, whatever its time zone. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

export interface AutoTopUpState {
  enabled: boolean;
  pausedReason: string | null;
  threshold: Decimal;
  dailyLimit: number;
  chargeDay: string | null;
  chargesToday: number;
  inFlightTrigger: string | null;
}

/** The payment the rule last started, as far as the in-flight check needs it. */
export interface LastPayment {
  idempotencyKey: string | null;
  status: PaymentStatus;
}

/**
 * A charge is in flight from the debit that starts it until the payment it made is no longer open
 * (a trigger whose payment is not made yet is in flight too).
 */
export function inFlight(state: Pick<AutoTopUpState, 'inFlightTrigger'>, last: LastPayment | null): boolean {
  if (!state.inFlightTrigger) return false;
  if (!last || last.idempotencyKey !== autoTopUpPaymentKey(state.inFlightTrigger)) return true;
  return OPEN.includes(last.status);
}

/** Charges counted for `day` (the count of another day is zero). */
export const chargesOn = (state: Pick<AutoTopUpState, 'chargeDay' | 'chargesToday'>, day: string) => (state.chargeDay === day ? state.chargesToday : 0);

export type AutoTopUpDecision =
  | { charge: true; chargeDay: string; chargesToday: number }
  | { charge: false; why: 'disabled' | 'paused' | 'above-threshold' | 'in-flight' | 'daily-limit' };

/**
 * After a debit left the balance at `balanceAfter`: one charge when the rule is on and not paused,
 * the balance is below the threshold (every debit that leaves it below counts, not only the one
 * that crosses it), no charge is in flight and today's count is under the limit.
 */
export function decideAutoTopUp(state: AutoTopUpState, balanceAfter: Decimal, last: LastPayment | null, now: Date): AutoTopUpDecision {
  if (!state.enabled) return { charge: false, why: 'disabled' };
  if (state.pausedReason) return { charge: false, why: 'paused' };
  if (!balanceAfter.lessThan(state.threshold)) return { charge: false, why: 'above-threshold' };
  if (inFlight(state, last)) return { charge: false, why: 'in-flight' };
  const day = utcDay(now);
  const today = chargesOn(state, day);
  if (today >= state.dailyLimit) return { charge: false, why: 'daily-limit' };
  return { charge: true, chargeDay: day, chargesToday: today + 1 };
}

export interface AutoTopUpSettings {
  threshold: Decimal;
  amount: Decimal;
  dailyLimit: number;
}

/** setAutoTopUp's amounts in the client's currency (threshold zero or more, amount more than zero) and its daily count. */
export function parseAutoTopUpSettings(input: { threshold: string; amount: string; dailyLimit?: number | null }, currency: string): AutoTopUpSettings {
  const threshold = parseAmount(String(input.threshold), currency, { field: 'threshold', allowZero: true });
  const amount = parseAmount(String(input.amount), currency, { field: 'amount' });
  const dailyLimit = input.dailyLimit ?? DEFAULT_DAILY_LIMIT;
  if (!Number.isInteger(dailyLimit) || dailyLimit < 1 || dailyLimit > MAX_DAILY_LIMIT) {
    throw badInput(`dailyLimit must be a whole number from 1 to ${MAX_DAILY_LIMIT}`, 'dailyLimit');
  }
  return { threshold, amount, dailyLimit };
}

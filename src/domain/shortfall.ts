// A refund's shortfall (what its booking could not take back: the money was spent) as work for
// staff: which resolutions are allowed, and what each does. Pure: the service locks and persists.
import { Decimal } from './money';

/**
 * The idempotency key of a shortfall's DEBITED entry, one per refund. Callers' own keys may not
 * take the prefix (a key squatted by hand would block the debit).
 */
export const SHORTFALL_DEBIT_KEY_PREFIX = 'shortfall-debit:';
export const shortfallDebitKey = (refundId: string) => `${SHORTFALL_DEBIT_KEY_PREFIX}${refundId}`;

export const SHORTFALL_RESOLUTIONS = ['COLLECTED', 'WRITTEN_OFF', 'DEBITED'] as const;
export type ShortfallResolution = (typeof SHORTFALL_RESOLUTIONS)[number];

export interface ShortfallState {
  /** What is still short. */
  readonly shortfall: Decimal;
  /** What DEBITED already took from the balance. */
  readonly debited: Decimal;
  readonly resolvedAt: Date | null;
}

export type ShortfallDecision =
  | { readonly refusal: { readonly code: 'BAD_USER_INPUT' | 'CONFLICT'; readonly message: string; readonly field: 'refundId' | 'how' } }
  | {
      readonly refusal: null;
      /** Taken from the balance now (DEBITED only), > 0 or none. */
      readonly debit: Decimal;
      /** Still short afterwards. */
      readonly remaining: Decimal;
      /** The shortfall is closed (no longer listed as open). */
      readonly closes: boolean;
    };

/** Ever had a shortfall: one is still short, or something was debited for it. */
export const hadShortfall = (s: ShortfallState) => s.shortfall.gt(0) || s.debited.gt(0);

/** Open: unresolved with an amount still short. */
export const isOpen = (s: ShortfallState) => s.resolvedAt === null && s.shortfall.gt(0);

/**
 * COLLECTED and WRITTEN_OFF close it. DEBITED takes what the balance holds now, up to what is
 * short, once per refund (a replay must never debit twice): what it cannot cover stays open, for
 * COLLECTED or WRITTEN_OFF.
 */
export function decideShortfall(refundId: string, s: ShortfallState, how: ShortfallResolution, balance: Decimal): ShortfallDecision {
  if (!hadShortfall(s)) return { refusal: { code: 'BAD_USER_INPUT', message: `refund ${refundId} has no shortfall`, field: 'refundId' } };
  if (!isOpen(s)) return { refusal: { code: 'CONFLICT', message: `the shortfall of refund ${refundId} is already resolved`, field: 'refundId' } };
  if (how !== 'DEBITED') return { refusal: null, debit: new Decimal(0), remaining: s.shortfall, closes: true };
  if (s.debited.gt(0)) {
    return { refusal: { code: 'CONFLICT', message: `the balance was already debited for refund ${refundId}: resolve what is still short as COLLECTED or WRITTEN_OFF`, field: 'how' } };
  }
  const debit = Decimal.max(0, Decimal.min(balance, s.shortfall));
  if (debit.lte(0)) return { refusal: { code: 'BAD_USER_INPUT', message: `the client's balance holds nothing to debit for refund ${refundId}`, field: 'how' } };
  const remaining = s.shortfall.minus(debit);
  return { refusal: null, debit, remaining, closes: remaining.lte(0) };
}

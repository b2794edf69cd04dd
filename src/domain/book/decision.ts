// Building decisions: every rule answers with one of these shapes.
import type { AttentionKind, AttentionRaise, Evidence } from '../attention';
import type { CallbackOutcome, DeclineReason } from '../gateway-events';
import type { Decision, Effect, HistoryEntry, PaymentChange, PaymentSnapshot, Refusal } from './types';

export const OK: CallbackOutcome = { result: 'ok' };
/** Not now: the gateway should send it again later. */
export const RETRY: CallbackOutcome = { result: 'retry' };
export const declined = (reason: DeclineReason): CallbackOutcome => ({ result: 'declined', reason });

const EMPTY: Decision = { change: null, history: [], effects: [], answer: OK, attention: null, refusal: null };

/** Nothing to do: a duplicate, something stale, or news that is no news. */
export const nothing = (answer: CallbackOutcome = OK): Decision => ({ ...EMPTY, answer });

/** Nothing applied, but a person should look (money for an unknown invoice, …); `item` lists it for staff. */
export const attention = (text: string, answer: CallbackOutcome = OK, item?: AttentionRaise): Decision =>
  ({ ...EMPTY, answer, attention: text, effects: item ? [raise(item)] : [] });

/** The effect that raises an item of the attention queue. */
export const raise = (item: AttentionRaise): Effect => ({ kind: 'attention', item });

/** What a note raises for staff: its kind, what tells it from others about the payment, and its evidence. */
export interface NeedsPerson { kind: AttentionKind; key: string; evidence: Evidence }

/**
 * A note in the payment's history, once: the same code and key right after itself are not news.
 * `needsPerson` also raises it for staff, repeat or not: the item's dedupe key keeps it one item.
 */
export function note(p: PaymentSnapshot, entry: HistoryEntry, options: { needsPerson?: NeedsPerson; answer?: CallbackOutcome; effects?: Effect[] } = {}): Decision {
  const repeat = p.lastEntry?.code === entry.code && p.lastEntry.key === (entry.key ?? null);
  const person = options.needsPerson;
  return {
    ...EMPTY,
    answer: options.answer ?? OK,
    history: repeat ? [] : [entry],
    effects: [...(options.effects ?? []), ...(person ? [raise({ kind: person.kind, key: person.key, evidence: { summary: entry.text, ...person.evidence } })] : [])],
    attention: person ? entry.text : null,
  };
}

/** A change of the payment (its status, columns or both), told in history, with its effects. */
export function change(c: PaymentChange, entry: HistoryEntry, effects: Effect[] = [], extra: { attention?: string | null; answer?: CallbackOutcome } = {}): Decision {
  return { ...EMPTY, change: c, history: [entry], effects, attention: extra.attention ?? null, answer: extra.answer ?? OK };
}

export const refuse = (refusal: Refusal): Decision => ({ ...EMPTY, refusal });
export const badInput = (message: string, field?: string): Decision => refuse({ code: 'BAD_USER_INPUT', message, field });

/** Effects that follow a decision after commit. */
export const ask = (action: Extract<Effect, { kind: 'ask' }>['action'], amount?: Extract<Effect, { kind: 'ask' }>['amount']): Effect => ({ kind: 'ask', action, amount });

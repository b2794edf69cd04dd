// One rule for every mutation that takes an idempotencyKey: the same key with the same input
// returns the first result; the same key with other input is a CONFLICT; two calls at once with
// one key make one result (the database's unique key decides, the loser finds the winner's).
import { createHash } from 'node:crypto';
import { AUTO_TOP_UP_KEY_PREFIX } from '../../domain/auto-top-up';
import { AppError, badInput } from '../../domain/errors';
import { SHORTFALL_DEBIT_KEY_PREFIX } from '../../domain/shortfall';
import { optionalText } from './validate';
import { isUniqueViolation } from './db-errors';

/** Prefixes of the keys Paygate gives its own entries and payments (a shortfall's debit, an auto top-up's charge). */
const RESERVED_PREFIXES = [SHORTFALL_DEBIT_KEY_PREFIX, AUTO_TOP_UP_KEY_PREFIX];

/**
 * A caller's idempotencyKey: at most 255 characters, and none of Paygate's own (a top-up keyed
 * "auto-top-up:<entry>" would otherwise pass for that entry's auto top-up when it settles).
 */
export function callerIdempotencyKey(value: string | null | undefined): string | null {
  const key = optionalText(value, 'idempotencyKey', 255) ?? null;
  const reserved = key === null ? undefined : RESERVED_PREFIXES.find((p) => key.startsWith(p));
  if (reserved) throw badInput(`idempotencyKey may not start with "${reserved}": Paygate keeps it for its own entries`, 'idempotencyKey');
  return key;
}

/** What tells a retry from another request under the same key. */
export const requestHash = (input: readonly unknown[]) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

export interface Idempotent<R> {
  key: string | null;
  requestHash: string;
  /** Named in the CONFLICT message: "a different top-up". */
  what: string;
  find(key: string): Promise<R | null>;
  create(): Promise<R>;
}

export async function once<R extends { id: string; requestHash: string | null }>(spec: Idempotent<R>): Promise<{ row: R; replayed: boolean }> {
  const same = (row: R) => {
    if (row.requestHash !== spec.requestHash) {
      throw new AppError('CONFLICT', `idempotencyKey ${spec.key} was already used for a different ${spec.what} (${row.id})`);
    }
    return { row, replayed: true };
  };
  if (spec.key) {
    const earlier = await spec.find(spec.key);
    if (earlier) return same(earlier);
  }
  try {
    return { row: await spec.create(), replayed: false };
  } catch (err) {
    if (!spec.key || !isUniqueViolation(err)) throw err;
    const earlier = await spec.find(spec.key);
    if (!earlier) throw err;
    return same(earlier);
  }
}

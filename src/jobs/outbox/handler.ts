// An outbox handler carries out the open rows of one kind, many per transaction: the consumer
// (consumer.ts) claims them, checks each payload against the schema, calls carryOut in the same
// transaction and marks them DONE there. What carryOut returns runs after commit.
import type { z } from 'zod';
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import type { ClaimedRow, OutboxKind } from '../../services/outbox/outbox';

export interface OutboxHandler<P = unknown> {
  readonly kind: OutboxKind;
  /** Rows per transaction at most. */
  readonly batch: number;
  /** Transactions of this kind at once in one process. */
  readonly loops: number;
  /** Woken, wait this long before claiming: under load the batch gathers more rows (and costs less each). */
  readonly gatherMs?: number;
  /** The row's payload; a row that does not fit is left for a person, never retried. */
  readonly payload: z.ZodType<P>;
  carryOut(deps: Deps, tx: Tx, rows: readonly { row: ClaimedRow; payload: P }[]): Promise<(() => void | Promise<void>) | void>;
  /** An error meaning the row's effect is already booked: the row is closed instead of retried. */
  alreadyDone?(err: unknown): boolean;
}

export const defineOutboxHandler = <P>(handler: OutboxHandler<P>): OutboxHandler<P> => handler;

// Effects committed together with a state change (docs/architecture.md, "Exactly once"). The row is
// written in the state change's transaction and is the only truth: consumers (jobs/outbox) claim
// open rows of a kind in batches, carry them out and mark them DONE in one transaction. After
// commit a wake-up tells them there is work (outbox/signal.ts); without it they find it anyway.
import type { Tx } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { insertSql, type Row } from '../common/sql';

export const OUTBOX_KINDS = ['payment.credit', 'refund.book', 'webhook.event', 'auto-top-up', 'receipt.issue'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxEntry {
  key: string;
  kind: OutboxKind;
  organizationId: string;
  payload: Prisma.InputJsonObject;
}

/** An open row, claimed (locked) by the transaction that will carry it out. */
export interface ClaimedRow {
  id: bigint;
  key: string;
  kind: OutboxKind;
  organizationId: string;
  payload: unknown;
  attempts: number;
}

export async function addOutbox(tx: Tx, entries: readonly OutboxEntry[]): Promise<OutboxEntry[]> {
  if (entries.length) await tx.$executeRaw(insertSql('Outbox', entries as unknown as Row[], { onConflict: 'key' }));
  return [...entries];
}

/**
 * Up to `take` open rows of a kind, oldest first, locked; rows another transaction holds are
 * skipped, so concurrent consumers never take the same row. `id`: that one row only.
 */
export async function claimOutbox(tx: Tx, o: { kind: OutboxKind; take: number; maxAttempts: number; id?: bigint }): Promise<ClaimedRow[]> {
  return tx.$queryRaw<ClaimedRow[]>`
    SELECT id, key, kind, "organizationId", payload, attempts FROM "Outbox"
     WHERE kind = ${o.kind} AND status = 'PENDING' AND attempts < ${o.maxAttempts} AND "availableAt" <= now()
       ${o.id === undefined ? Prisma.empty : Prisma.sql`AND id = ${o.id}`}
     ORDER BY id LIMIT ${o.take}
       FOR UPDATE SKIP LOCKED`;
}

export async function markOutboxDone(tx: Tx, ids: readonly bigint[]): Promise<void> {
  if (ids.length) await tx.$executeRaw`UPDATE "Outbox" SET status = 'DONE', "processedAt" = now() WHERE id = ANY(${[...ids]}::bigint[])`;
}

/** A row that failed: counted, with its error, and not taken again before `retryInMs`. */
export async function recordOutboxFailure(db: Tx, id: bigint, error: string, retryInMs: number): Promise<void> {
  await db.$executeRaw`
    UPDATE "Outbox" SET attempts = attempts + 1, "lastError" = ${error.slice(0, 1000)}, "availableAt" = now() + ${retryInMs} * interval '1 millisecond'
     WHERE id = ${id} AND status = 'PENDING'`;
}

/** A row that will not be carried out (out of attempts, or a malformed payload): out of the claim index, for a person. Whether it was still open. */
export async function giveUpOutbox(db: Tx, id: bigint, error: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    UPDATE "Outbox" SET status = 'GIVEN_UP', attempts = attempts + 1, "lastError" = ${error.slice(0, 1000)} WHERE id = ${id} AND status = 'PENDING' RETURNING id`;
  return rows.length > 0;
}

/**
 * Rows waiting for a person: given up (a partial index of GIVEN_UP rows), or (set by hand) open but
 * out of attempts. Counted on the rows themselves, never on their attention items, which staff may
 * close while the row is still given up.
 */
export async function stuckOutboxRows(db: Tx, maxAttempts: number): Promise<number> {
  const [open, givenUp] = await Promise.all([
    db.outbox.count({ where: { status: 'PENDING', attempts: { gte: maxAttempts } } }),
    db.outbox.count({ where: { status: 'GIVEN_UP' } }),
  ]);
  return open + givenUp;
}

export interface RetriedRow { id: bigint; key: string; kind: string; organizationId: string }

/** An operator re-drives given-up rows (`outbox retry`): open again, with all their attempts, now. */
export async function retryGivenUpOutbox(db: Tx, which: { id: bigint } | { all: true }): Promise<RetriedRow[]> {
  return db.$queryRaw<RetriedRow[]>`
    UPDATE "Outbox" SET status = 'PENDING', attempts = 0, "availableAt" = now()
     WHERE status = 'GIVEN_UP' ${'id' in which ? Prisma.sql`AND id = ${which.id}` : Prisma.empty}
     RETURNING id, key, kind, "organizationId"`;
}

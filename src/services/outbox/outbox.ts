// Effects committed together with a state change (docs/architecture.md, "Exactly once"). The row is
// written in the state change's transaction; after commit it is handed to BullMQ under its key as
// job id. The worker marks it DONE in the transaction that books its effect; the relay re-enqueues
// rows left PENDING (crash between commit and enqueue, Redis restart).
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import type { Prisma } from '../../generated/prisma/client';

export const OUTBOX_KINDS = ['payment.credit', 'refund.book', 'webhook.event'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxEntry {
  key: string;
  kind: OutboxKind;
  organizationId: string;
  payload: Prisma.InputJsonObject;
}

export async function addOutbox(tx: Tx, entry: OutboxEntry): Promise<OutboxEntry> {
  await tx.outbox.createMany({ data: [entry], skipDuplicates: true });
  return entry;
}

/** After commit: one Redis call. A failure here is harmless, the relay catches up. */
export async function publishOutbox(deps: Deps, entries: readonly OutboxEntry[]): Promise<void> {
  if (!entries.length) return;
  try {
    await deps.queues.outbox.addBulk(entries.map((e) => ({ name: e.kind, data: { key: e.key }, opts: { jobId: e.key } })));
  } catch (err) {
    deps.log.warn({ err, keys: entries.map((e) => e.key) }, 'outbox enqueue failed; the relay will retry');
  }
}

/** Locks the outbox row; null when it is already DONE (or gone). */
export async function claimOutbox(tx: Tx, key: string) {
  await tx.$executeRaw`SELECT 1 FROM "Outbox" WHERE key = ${key} FOR UPDATE`;
  const row = await tx.outbox.findUnique({ where: { key } });
  return row?.status === 'PENDING' ? row : null;
}

export async function markOutboxDone(tx: Tx, key: string) {
  await tx.outbox.update({ where: { key }, data: { status: 'DONE', processedAt: new Date() } });
}

/** Outside a transaction: closes the row if it is still open (its effect is known to be booked). */
export async function closeOutbox(db: Tx, key: string) {
  await db.outbox.updateMany({ where: { key, status: 'PENDING' }, data: { status: 'DONE', processedAt: new Date() } });
}

/** Rows still open after `olderThanMs` (their job may be lost), oldest first; and how many ran out of attempts. */
export async function openOutboxRows(db: Tx, o: { olderThanMs: number; maxAttempts: number; take: number }) {
  const rows = await db.outbox.findMany({
    where: { status: 'PENDING', attempts: { lt: o.maxAttempts }, createdAt: { lt: new Date(Date.now() - o.olderThanMs) } },
    orderBy: { id: 'asc' },
    take: o.take,
    select: { key: true, kind: true },
  });
  const stuck = await db.outbox.count({ where: { status: 'PENDING', attempts: { gte: o.maxAttempts } } });
  return { rows, stuck };
}

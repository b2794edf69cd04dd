// Re-enqueues outbox rows committed but not (or no longer) queued: a crash between commit and
// enqueue, a Redis that lost its jobs. Same job id, so a row still queued is not queued twice.
import type { Deps } from '../context';

export const RELAY_EVERY_MS = 5_000;
const RELAY_AFTER_MS = 5_000;
const BATCH = 500;

export async function relayOutbox(deps: Deps): Promise<number> {
  const rows = await deps.db.outbox.findMany({
    where: { status: 'PENDING', createdAt: { lt: new Date(Date.now() - RELAY_AFTER_MS) } },
    orderBy: { id: 'asc' },
    take: BATCH,
    select: { key: true, kind: true },
  });
  if (rows.length) {
    await deps.queues.outbox.addBulk(rows.map((r) => ({ name: r.kind, data: { key: r.key }, opts: { jobId: r.key } })));
    deps.log.info({ count: rows.length }, 'outbox relay re-enqueued pending rows');
  }
  return rows.length;
}

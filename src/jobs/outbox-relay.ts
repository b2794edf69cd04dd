// Re-enqueues outbox rows committed but not (or no longer) queued: a crash between commit and
// enqueue, a Redis that lost its jobs. Same job id, so a row still queued is not queued twice.
import { z } from 'zod';
import type { Deps } from '../context';
import { openOutboxRows } from '../services/outbox/outbox';
import { defineJob } from './definition';
import { relayWebhookDeliveries } from './webhook-relay';

export const RELAY_EVERY_MS = 5_000;
const RELAY_AFTER_MS = 5_000;
const BATCH = 500;
/** A row that failed this often is left for a person (it is logged and stays PENDING, visible). */
export const MAX_OUTBOX_ATTEMPTS = 40;

export async function relayOutbox(deps: Deps): Promise<number> {
  const { rows, stuck } = await openOutboxRows(deps.db, { olderThanMs: RELAY_AFTER_MS, maxAttempts: MAX_OUTBOX_ATTEMPTS, take: BATCH });
  if (stuck) deps.log.error({ stuck }, 'outbox rows out of attempts: manual handling (see Outbox.lastError)');
  if (rows.length) {
    await deps.queues.outbox.addBulk(rows.map((r) => ({ name: r.kind, data: { key: r.key }, opts: { jobId: r.key } })));
    deps.log.info({ count: rows.length }, 'outbox relay re-enqueued pending rows');
  }
  return rows.length;
}

/** Every few seconds: outbox rows and webhook attempts whose jobs were lost are queued again. */
export const relayJob = defineJob({
  name: 'outbox-relay',
  queue: 'maintenance',
  schema: z.unknown(),
  every: RELAY_EVERY_MS,
  handler: async (deps) => ({ outbox: await relayOutbox(deps), webhooks: await relayWebhookDeliveries(deps) }),
});

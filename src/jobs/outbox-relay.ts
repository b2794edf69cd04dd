// Every few seconds: webhook attempts whose jobs were lost (a Redis restart) are queued again, and
// outbox rows out of attempts are reported for a person. Open outbox rows need no relay: their
// consumers read them from Postgres (jobs/outbox/consumer.ts).
import { z } from 'zod';
import type { Deps } from '../context';
import { stuckOutboxRows } from '../services/outbox/outbox';
import { defineJob } from './definition';
import { MAX_OUTBOX_ATTEMPTS } from './outbox/consumer';
import { relayWebhookDeliveries } from './webhook-relay';

const RELAY_EVERY_MS = 5_000;

async function reportStuckOutbox(deps: Deps): Promise<number> {
  const stuck = await stuckOutboxRows(deps.db, MAX_OUTBOX_ATTEMPTS);
  if (stuck) deps.log.error({ stuck }, 'outbox rows given up or out of attempts: manual handling (see Outbox.lastError; re-drive with `outbox retry`)');
  return stuck;
}

export const relayJob = defineJob({
  name: 'outbox-relay',
  queue: 'maintenance',
  schema: z.unknown(),
  every: RELAY_EVERY_MS,
  handler: async (deps) => ({ stuckOutbox: await reportStuckOutbox(deps), webhooks: await relayWebhookDeliveries(deps) }),
});

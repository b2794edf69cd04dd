// Runs webhook delivery attempts. One partner may hold at most PER_ENDPOINT attempts at a time:
// a slow or hanging endpoint waits its turn and never takes every worker slot from the others.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import type { Deps } from '../context';
import { deliverAttempt } from '../services/webhooks/deliver';
import { acquireLease } from '../services/webhooks/leases';

const PER_ENDPOINT = 4;
/** Beyond the attempt's own time limit, for the bookkeeping after it. */
const LEASE_MARGIN_MS = 5_000;
const jobData = z.object({ deliveryId: z.string().min(1), attempt: z.number().int().min(1) });

export async function processWebhookJob(deps: Deps, job: Job, token?: string): Promise<string> {
  const parsed = jobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`webhook job ${job.id} is malformed`);
  const delivery = await deps.db.webhookDelivery.findUnique({ where: { id: parsed.data.deliveryId }, select: { endpointId: true } });
  if (!delivery) return 'gone';
  const key = `${deps.config.queuePrefix}:webhook-leases:${delivery.endpointId}`;
  const lease = await acquireLease(deps.redis, key, `${job.id}:${token ?? ''}`, PER_ENDPOINT, deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
  if (!lease) {
    await job.moveToDelayed(Date.now() + 250 + Math.floor(Math.random() * 250), token);
    throw new DelayedError();
  }
  try {
    return await deliverAttempt(deps, parsed.data.deliveryId, parsed.data.attempt);
  } finally {
    await lease.release();
  }
}

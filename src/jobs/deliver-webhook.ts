// Runs webhook delivery attempts. One endpoint may hold at most PER_ENDPOINT attempts at a time,
// one organization PER_ORGANIZATION: a slow or hanging partner waits its turn and never takes
// every worker slot from the others.
import { DelayedError } from 'bullmq';
import { z } from 'zod';
import { deliverAttempt } from '../services/webhooks/deliver';
import { acquireLease } from '../services/webhooks/leases';
import { defineJob } from './definition';

const PER_ENDPOINT = 4;
const PER_ORGANIZATION = 12;
/** Beyond the attempt's own time limit, for the bookkeeping after it. */
const LEASE_MARGIN_MS = 5_000;

export const deliverWebhookJob = defineJob({
  name: 'deliver',
  queue: 'webhooks',
  schema: z.object({ deliveryId: z.string().min(1), attempt: z.number().int().min(1) }),
  async handler(deps, { deliveryId, attempt }, { job, token }) {
    const delivery = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, select: { endpointId: true, organizationId: true } });
    if (!delivery) return 'gone';
    const bounds = [
      { key: `${deps.config.queuePrefix}:webhook-leases:endpoint:${delivery.endpointId}`, capacity: PER_ENDPOINT },
      { key: `${deps.config.queuePrefix}:webhook-leases:org:${delivery.organizationId}`, capacity: PER_ORGANIZATION },
    ];
    const lease = await acquireLease(deps.redis, bounds, `${job.id}:${token ?? ''}`, deps.config.webhooks.timeoutMs + LEASE_MARGIN_MS);
    if (!lease) {
      // Its turn comes when an attempt ends; looking again costs a read, so not too often.
      await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 1500), token);
      throw new DelayedError();
    }
    try {
      return await deliverAttempt(deps, deliveryId, attempt);
    } finally {
      await lease.release();
    }
  },
});

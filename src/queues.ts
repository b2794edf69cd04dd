import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from './log';

export const QUEUE_NAMES = { maintenance: 'maintenance', sandbox: 'sandbox', webhooks: 'webhooks' } as const;
export type QueueName = keyof typeof QUEUE_NAMES;

export interface Queues {
  /** Repeatable housekeeping: the relay, payment expiry, reconciliation. */
  readonly maintenance: Queue;
  /** The sandbox's notification retries (the gateway it plays retries for days). */
  readonly sandbox: Queue;
  /** Partner webhook delivery attempts; job id = deliver-<delivery>-<attempt>. */
  readonly webhooks: Queue;
}

export function createQueues(connection: Redis, prefix: string, log: Logger): Queues {
  const make = (name: string) => {
    const q = new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 3600, count: 10_000 },
        // A job out of attempts is dropped: what it was for is still open in Postgres, and a relay re-adds it.
        removeOnFail: true,
      },
    });
    q.on('error', (err) => log.warn({ err, queue: name }, 'queue error'));
    return q;
  };
  return { maintenance: make(QUEUE_NAMES.maintenance), sandbox: make(QUEUE_NAMES.sandbox), webhooks: make(QUEUE_NAMES.webhooks) };
}

// The worker role: the outbox consumers (jobs/outbox), one BullMQ worker per queue running the job
// definitions of that queue, and the job schedulers of the recurring ones.
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Deps } from '../context';
import { QUEUE_NAMES, type QueueName } from '../queues';
import { createRedis } from '../redis';
import { sandboxNotifyJob } from '../sandbox/retries';
import type { JobDefinition } from './definition';
import { deliverWebhookJob } from './deliver-webhook';
import { expirePaymentsJob } from './expire-payments';
import { startOutboxConsumers } from './outbox/consumer';
import { relayJob } from './outbox-relay';
import { reconcilePaymentsJob } from './reconcile-payments';
import { recheckReceiptsJob } from './recheck-receipts';

export const JOBS: readonly JobDefinition[] = [deliverWebhookJob, relayJob, expirePaymentsJob, reconcilePaymentsJob, recheckReceiptsJob, sandboxNotifyJob];

export interface Workers {
  /** force: do not wait for running jobs (they are taken up again once their lock expires). */
  close(force?: boolean): Promise<void>;
}

export interface WorkersOptions {
  concurrency?: number;
  webhookConcurrency?: number;
  /** Overrides WORKER_LOCK_DURATION. */
  lockDurationMs?: number;
}

/** How many jobs of a queue run at once in one process. */
const concurrencyOf = (queue: QueueName, options: WorkersOptions) =>
  queue === 'webhooks' ? options.webhookConcurrency ?? 32 : queue === 'maintenance' ? 2 : options.concurrency ?? 8; // the relay must not wait behind a slow expiry run

export async function startWorkers(deps: Deps, options: WorkersOptions = {}): Promise<Workers> {
  const consumers = startOutboxConsumers(deps);
  const connection = createRedis(deps.config.redisUrl.reveal(), 'worker');
  const lockDuration = options.lockDurationMs ?? deps.config.workerLockDurationMs;
  const workers = (Object.keys(QUEUE_NAMES) as QueueName[]).map((queue) => {
    const definitions = new Map(JOBS.filter((d) => d.queue === queue).map((d) => [d.name, d]));
    const backoff = JOBS.find((d) => d.queue === queue && d.backoff)?.backoff;
    const settings: Partial<WorkerOptions> = backoff ? { settings: { backoffStrategy: backoff } } : {};
    const w = new Worker(QUEUE_NAMES[queue], (job: Job, token?: string) => run(deps, definitions, job, token), {
      connection, prefix: deps.config.queuePrefix, concurrency: concurrencyOf(queue, options), lockDuration, stalledInterval: lockDuration, ...settings,
    });
    w.on('error', (err) => deps.log.error({ err, queue }, 'worker error'));
    w.on('failed', (job, err) => deps.log.warn({ err, queue, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'));
    return w;
  });

  // Job schedulers live in Redis, which may come back empty (it keeps nothing on disk): every
  // worker process registers them now, whenever its connection comes back, and checks every few
  // seconds that they are still there. Upserting the same scheduler twice does not duplicate it.
  await ensureSchedulers(deps);
  const watchdog = setInterval(() => void ensureSchedulers(deps).catch((err) => deps.log.debug({ err }, 'job schedulers not checked: Redis unavailable')), SCHEDULER_CHECK_MS);
  watchdog.unref();
  const onReady = () => void ensureSchedulers(deps).catch((err) => deps.log.warn({ err }, 'job schedulers not restored yet'));
  connection.on('ready', onReady);

  return {
    async close(force = false) {
      clearInterval(watchdog);
      connection.off('ready', onReady);
      await Promise.all([consumers.close(force), ...workers.map((w) => w.close(force))]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

function run(deps: Deps, definitions: ReadonlyMap<string, JobDefinition>, job: Job, token?: string): Promise<unknown> {
  const definition = definitions.get(job.name);
  if (!definition) throw new UnrecoverableError(`no job definition named ${job.name}`);
  const payload = definition.schema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`job ${job.id} (${job.name}) has a malformed payload`);
  return definition.handler(deps, payload.data, { job, token });
}

const SCHEDULER_CHECK_MS = 5_000;

async function ensureSchedulers(deps: Deps): Promise<void> {
  for (const { name, queue, every } of JOBS) {
    if (!every || (await deps.queues[queue].getJobScheduler(name))) continue;
    await deps.queues[queue].upsertJobScheduler(name, { every }, { name, opts: { removeOnComplete: true, removeOnFail: 100 } });
    deps.log.info({ scheduler: name }, 'job scheduler registered');
  }
}

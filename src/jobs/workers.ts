// The worker role: BullMQ workers for every queue and the repeatable maintenance jobs.
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Deps } from '../context';
import { createRedis } from '../redis';
import { processOutboxJob } from './outbox-worker';
import { relayOutbox, RELAY_EVERY_MS } from './outbox-relay';
import { QUEUE_NAMES } from '../queues';
import { processSandboxJob, sandboxBackoff } from '../sandbox/retries';
import { expirePayments, EXPIRE_EVERY_MS } from './expire-payments';
import { reconcilePayments, RECONCILE_EVERY_MS } from './reconcile-payments';
import { processWebhookJob } from './webhook-worker';
import { relayWebhookDeliveries } from './webhook-relay';

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

export async function startWorkers(deps: Deps, options: WorkersOptions = {}): Promise<Workers> {
  const connection = createRedis(deps.config.redisUrl.reveal(), 'worker');
  const prefix = deps.config.queuePrefix;
  const lockDuration = options.lockDurationMs ?? deps.config.workerLockDurationMs;
  const make = (name: string, processor: (job: Job, token?: string) => Promise<unknown>, extra: Partial<WorkerOptions> = {}) => {
    const w = new Worker(name, processor, { connection, prefix, concurrency: options.concurrency ?? 8, lockDuration, stalledInterval: lockDuration, ...extra });
    w.on('error', (err) => deps.log.error({ err, queue: name }, 'worker error'));
    w.on('failed', (job, err) => deps.log.warn({ err, queue: name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'));
    return w;
  };

  const workers = [
    make(QUEUE_NAMES.outbox, (job) => processOutboxJob(deps, job)),
    make(QUEUE_NAMES.webhooks, (job, token) => processWebhookJob(deps, job, token), { concurrency: options.webhookConcurrency ?? 32 }),
    make(QUEUE_NAMES.sandbox, (job) => processSandboxJob(deps, job), { settings: { backoffStrategy: sandboxBackoff } }),
    make(QUEUE_NAMES.maintenance, async (job) => {
      if (job.name === 'outbox-relay') return { outbox: await relayOutbox(deps), webhooks: await relayWebhookDeliveries(deps) };
      if (job.name === 'expire-payments') return expirePayments(deps);
      if (job.name === 'reconcile-payments') return reconcilePayments(deps);
      throw new Error(`unknown maintenance job ${job.name}`);
    }, { concurrency: 2 }), // the relay must not wait behind a slow expiry run
  ];
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
      await Promise.all(workers.map((w) => w.close(force)));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

const SCHEDULER_CHECK_MS = 5_000;
const SCHEDULERS = [
  { id: 'outbox-relay', every: RELAY_EVERY_MS },
  { id: 'reconcile-payments', every: RECONCILE_EVERY_MS },
  { id: 'expire-payments', every: EXPIRE_EVERY_MS },
] as const;

async function ensureSchedulers(deps: Deps): Promise<void> {
  for (const { id, every } of SCHEDULERS) {
    if (await deps.queues.maintenance.getJobScheduler(id)) continue;
    await deps.queues.maintenance.upsertJobScheduler(id, { every }, { name: id, opts: { removeOnComplete: true, removeOnFail: 100 } });
    deps.log.info({ scheduler: id }, 'job scheduler registered');
  }
}

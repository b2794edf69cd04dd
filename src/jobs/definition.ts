// A job is a definition: its name, its queue, the schema of its payload (checked before the
// handler runs: a payload that does not fit fails for good) and its handler. Recurring ones say
// how often; every worker process keeps their job schedulers registered (jobs/workers.ts).
import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { Deps } from '../context';
import type { QueueName } from '../queues';

export interface JobRun {
  job: Job;
  /** The worker's lock token, for a handler that moves its own job (back to waiting, delayed). */
  token?: string;
}

export interface JobDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The BullMQ job name. */
  readonly name: string;
  readonly queue: QueueName;
  readonly schema: S;
  /** Recurring: the period of its job scheduler. */
  readonly every?: number;
  /** The delay before retry N, where a job's retries follow a schedule of their own. */
  readonly backoff?: (attemptsMade: number) => number;
  handler(deps: Deps, payload: z.infer<S>, run: JobRun): Promise<unknown>;
}

export const defineJob = <S extends z.ZodTypeAny>(definition: JobDefinition<S>): JobDefinition<S> => definition;

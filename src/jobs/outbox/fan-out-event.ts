import { z } from 'zod';
import { fanOutEvent } from '../../services/webhooks/fan-out';
import { defineOutboxJob } from './run';

/** One partner event → one delivery per subscribed endpoint. */
export const fanOutEventJob = defineOutboxJob('webhook.event', z.object({ id: z.string().min(1), message: z.object({ type: z.string() }).passthrough() }), async (deps, row) =>
  `fanned out to ${await fanOutEvent(deps, row.key)}`);

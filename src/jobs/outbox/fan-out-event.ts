import { z } from 'zod';
import type { WebhookMessage } from '../../domain/webhook-events';
import { fanOutEvents } from '../../services/webhooks/fan-out';
import { defineOutboxHandler } from './handler';

/** Partner events → one delivery per subscribed endpoint, up to 200 events per transaction. */
export const fanOutEventHandler = defineOutboxHandler({
  kind: 'webhook.event',
  batch: 200,
  loops: 1,
  gatherMs: 100,
  payload: z.object({ id: z.string().min(1), message: z.object({ type: z.string() }).passthrough() }),
  carryOut: (deps, tx, rows) => fanOutEvents(deps, tx, rows.map(({ row, payload }) => ({ organizationId: row.organizationId, payload: payload as unknown as { id: string; message: WebhookMessage } }))),
});

// The delivery log (every attempt) and replay for recovery after a partner outage.
import type { Ctx } from '../../context';
import { badInput, notFound } from '../../domain/errors';
import { AWAITING, UNDELIVERED } from '../../domain/webhook-delivery';
import type { WebhookDeliveryStatus } from '../../generated/prisma/enums';
import type { WebhookAttempt, WebhookDelivery } from '../../generated/prisma/client';
import { toPage, type Page } from '../common/views';
import { decodeCursor, pageSize } from '../common/validate';
import { scheduleAttempt } from './schedule';
import { owned } from '../common/scope';

export interface AttemptView { at: Date; statusCode: number | null; latencyMs: number; error: string | null; response: string | null }
export interface DeliveryView {
  id: string;
  webhookId: string;
  /** The Standard Webhooks webhook-id, the same on every attempt. */
  messageId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  payload: string;
  attemptLog: AttemptView[];
}

type DeliveryRow = WebhookDelivery & { attemptLog: WebhookAttempt[] };

function toDeliveryView(d: DeliveryRow): DeliveryView {
  return {
    id: d.id, webhookId: d.endpointId, messageId: d.eventId, eventType: d.eventType, status: d.status, attempts: d.attempts,
    createdAt: d.createdAt, lastAttemptAt: d.lastAttemptAt, lastStatusCode: d.lastStatusCode, lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt, deliveredAt: d.deliveredAt, payload: JSON.stringify(d.payload),
    attemptLog: d.attemptLog.map((a) => ({ at: a.at, statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, response: a.response })),
  };
}

const withAttempts = { attemptLog: { orderBy: { id: 'asc' } } } as const;

async function ownEndpoint(ctx: Ctx, webhookId: string) {
  const e = await ctx.deps.db.webhookEndpoint.findFirst({ where: { id: webhookId, ...owned(ctx) } });
  if (!e) throw notFound('webhook', webhookId);
  return e;
}

/** Newest first. */
export async function listDeliveries(
  ctx: Ctx,
  args: { webhookId: string; status?: WebhookDeliveryStatus | null; first?: number | null; after?: string | null },
): Promise<Page<DeliveryView>> {
  await ownEndpoint(ctx, args.webhookId);
  const take = pageSize(args.first);
  const after = decodeCursor(args.after);
  const rows = await ctx.deps.db.webhookDelivery.findMany({
    where: { endpointId: args.webhookId, ...owned(ctx), ...(args.status ? { status: args.status } : {}), ...(after ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: take + 1,
    include: withAttempts,
  });
  return toPage(rows, take, toDeliveryView);
}

/** Sends the delivery again, same webhook-id, with a fresh retry schedule. */
export async function replayDelivery(ctx: Ctx, deliveryId: string): Promise<DeliveryView> {
  const d = await ctx.deps.db.webhookDelivery.findFirst({ where: { id: deliveryId, ...owned(ctx) }, include: { endpoint: true } });
  if (!d || d.eventType === 'WEBHOOK_DISABLED') throw notFound('webhook delivery', deliveryId);
  if (!d.endpoint.isActive) throw badInput(`webhook ${d.endpointId} is disabled (${d.endpoint.disabledReason}); enable it with updateWebhook first`, 'id');
  await restart(ctx, [d.id]);
  return toDeliveryView(await ctx.deps.db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id }, include: withAttempts }));
}

/** Everything not delivered since `since` (failed or still waiting): sent again now. */
export async function replayDeliveries(ctx: Ctx, webhookId: string, since: Date): Promise<number> {
  const e = await ownEndpoint(ctx, webhookId);
  if (!e.isActive) throw badInput(`webhook ${webhookId} is disabled (${e.disabledReason}); enable it with updateWebhook first`, 'webhookId');
  const rows = await ctx.deps.db.webhookDelivery.findMany({
    where: { endpointId: webhookId, createdAt: { gte: since }, status: { in: [...UNDELIVERED] }, eventType: { not: 'WEBHOOK_DISABLED' } },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
    take: MAX_REPLAY,
  });
  await restart(ctx, rows.map((r) => r.id));
  return rows.length;
}

/** One call replays at most this many (the oldest first); call again for the rest. */
const MAX_REPLAY = 1000;

async function restart(ctx: Ctx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  // The retry schedule starts again after the attempts made so far; the count and the log go on.
  const now = new Date();
  const rows = await ctx.deps.db.$transaction(async (tx) => {
    const found = await tx.webhookDelivery.findMany({ where: { id: { in: ids } }, select: { id: true, attempts: true } });
    for (const d of found) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { status: AWAITING, scheduleOffset: d.attempts, nextAttemptAt: now } });
    }
    return found;
  });
  for (const d of rows) await scheduleAttempt(ctx.deps, d.id, d.attempts + 1, now);
  ctx.log.info({ count: ids.length }, 'webhook deliveries replayed');
}

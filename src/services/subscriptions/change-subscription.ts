// updateSubscription and cancelSubscription. Each holds the subscription's row lock while it asks
// the gateway, so an update and a cancel never cross: CloudPayments' subscriptions/update brings
// an ended subscription back to life (docs/gateways.md 1.2), so an ended one is refused here and
// the gateway is never asked to change it. Cancelling an ended subscription answers it as it is.
import type { Ctx } from '../../context';
import type { Tx } from '../../db';
import { AppError, notFound } from '../../domain/errors';
import { parseAmount } from '../../domain/money';
import { hasEnded } from '../../domain/subscriptions';
import type { Subscription } from '../../generated/prisma/client';
import type { SubscriptionInterval } from '../../generated/prisma/enums';
import { GatewayError, type SubscriptionChanges } from '../../gateways/types';
import { owned } from '../common/scope';
import { text } from '../common/validate';
import { gatewayForOperation } from '../gateways/load-gateway';
import { addOutbox } from '../outbox/outbox';
import { webhookEvent } from '../webhooks/emit';
import { atGateway, checkDescription, checkMaxPeriods, checkPeriod } from './create-subscription';
import { subscriptionEventData, toSubscriptionView, type SubscriptionView } from './view';

export interface UpdateSubscriptionInput {
  amount?: string | null;
  description?: string | null;
  interval?: SubscriptionInterval | null;
  period?: number | null;
  maxPeriods?: number | null;
}

/** Long enough for the gateway's answer (its HTTP timeout), short enough not to hold the row for ever. */
const LOCKED_CALL_MS = 30_000;

const subscriptionId = (id: string) => text(id, 'id', 64);

async function lockOwned(ctx: Ctx, tx: Tx, id: string): Promise<Subscription> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Subscription" WHERE id = ${id} AND "organizationId" = ${ctx.orgId} AND environment = ${ctx.env}::"Environment" FOR UPDATE`;
  if (!row) throw notFound('subscription', id);
  return tx.subscription.findUniqueOrThrow({ where: { id } });
}

const gatewayFault = (err: GatewayError, what: string, id: string) =>
  new AppError('GATEWAY_ERROR', `the gateway did not answer the ${what}: ${err.message}; subscription ${id} is unchanged here, try again`, { cause: err, details: { subscriptionId: id } });

export async function updateSubscription(ctx: Ctx, id: string, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
  const subId = subscriptionId(id);
  let changes: SubscriptionChanges = {
    ...(input.description != null ? { description: checkDescription(input.description) } : {}),
    ...(input.interval != null ? { interval: input.interval } : {}),
    ...(input.period != null ? { period: checkPeriod(input.period) } : {}),
    ...(input.maxPeriods != null ? { maxPeriods: checkMaxPeriods(input.maxPeriods) } : {}),
  };
  const done = await ctx.deps.db.$transaction(async (tx) => {
    const row = await lockOwned(ctx, tx, subId);
    if (input.amount != null) changes = { ...changes, amount: parseAmount(input.amount, row.currency).toFixed(2) };
    if (hasEnded(row.status)) {
      throw new AppError('CONFLICT', `subscription ${subId} is ${row.status}: an ended subscription is never changed (the gateway would start charging it again); create a new one`, { details: { field: 'id' } });
    }
    if (!Object.keys(changes).length) return row;
    if (!row.gatewaySubscriptionId) throw new AppError('CONFLICT', `subscription ${subId} is not confirmed by the gateway yet; try again shortly`, { details: { field: 'id' } });
    const gateway = await gatewayForOperation(ctx.deps, row.gatewayId);
    let answer;
    try {
      answer = await gateway.adapter.updateSubscription!(gateway.env, gateway.creds, row.gatewaySubscriptionId, changes);
    } catch (err) {
      if (err instanceof GatewayError) throw gatewayFault(err, 'update', subId);
      throw err;
    }
    if (!answer.ok) throw new AppError('BAD_USER_INPUT', `${gateway.adapter.displayName} refused the update: ${answer.reason}`, { details: { subscriptionId: subId } });
    const stored = await tx.subscription.update({
      where: { id: subId },
      data: {
        ...(changes.amount !== undefined ? { amount: changes.amount } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.interval !== undefined ? { interval: changes.interval } : {}),
        ...(changes.period !== undefined ? { period: changes.period } : {}),
        ...(changes.maxPeriods !== undefined ? { maxPeriods: changes.maxPeriods } : {}),
        ...(answer.subscription.nextChargeAt ? { nextChargeAt: answer.subscription.nextChargeAt } : {}),
      },
    });
    await addOutbox(tx, [webhookEvent('SUBSCRIPTION_UPDATED', stored, subscriptionEventData(stored))]);
    return stored;
  }, { timeout: LOCKED_CALL_MS });
  ctx.deps.outboxSignal.notify(['webhook.event']);
  return toSubscriptionView(done);
}

export async function cancelSubscription(ctx: Ctx, id: string): Promise<SubscriptionView> {
  const subId = subscriptionId(id);
  const current = await ctx.deps.db.subscription.findFirst({ where: { id: subId, ...owned(ctx) } });
  if (!current) throw notFound('subscription', subId);
  if (hasEnded(current.status)) return toSubscriptionView(current);
  // A create whose answer was lost is looked for first, so that what the gateway made is cancelled too.
  if (!current.gatewaySubscriptionId) await atGateway(ctx.deps, current, { create: false });
  const done = await ctx.deps.db.$transaction(async (tx) => {
    const row = await lockOwned(ctx, tx, subId);
    if (hasEnded(row.status)) return { row, changed: false };
    if (row.gatewaySubscriptionId) {
      const gateway = await gatewayForOperation(ctx.deps, row.gatewayId);
      let answer;
      try {
        answer = await gateway.adapter.cancelSubscription!(gateway.env, gateway.creds, row.gatewaySubscriptionId);
      } catch (err) {
        if (err instanceof GatewayError) throw gatewayFault(err, 'cancel', subId);
        throw err;
      }
      if (!answer.ok) throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} refused to cancel: ${answer.reason}`, { details: { subscriptionId: subId } });
    }
    const stored = await tx.subscription.update({ where: { id: subId }, data: { status: 'CANCELLED', cancelledAt: new Date(), nextChargeAt: null } });
    await addOutbox(tx, [webhookEvent('SUBSCRIPTION_CANCELLED', stored, subscriptionEventData(stored))]);
    return { row: stored, changed: true };
  }, { timeout: LOCKED_CALL_MS });
  if (done.changed) {
    ctx.deps.outboxSignal.notify(['webhook.event']);
    ctx.log.info({ subscriptionId: subId }, 'subscription cancelled');
  }
  return toSubscriptionView(done.row);
}

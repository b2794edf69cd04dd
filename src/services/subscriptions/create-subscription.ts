// createSubscription: recurring billing of a saved card at its gateway (CloudPayments
// subscriptions/create). The row is written first, then the gateway is asked with the row's id
// as the X-Request-ID, then its sc_ id is stored: a retry (the same idempotencyKey) or the
// reconciliation job finds a create whose answer was lost (atGateway) and never makes a second one.
import type { Ctx, Deps } from '../../context';
import { AppError, badInput, unknownClient } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { parseAmount, parseCurrency } from '../../domain/money';
import { addPeriods, MAX_PERIOD } from '../../domain/subscriptions';
import type { Subscription } from '../../generated/prisma/client';
import type { SubscriptionInterval } from '../../generated/prisma/enums';
import { GatewayError, type GatewaySubscription } from '../../gateways/types';
import { chargeableCard } from '../cards/chargeable-card';
import { paymentMethodId } from '../cards/saved-methods';
import { cardTokenAad } from '../cards/seal-card';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { externalId, text } from '../common/validate';
import { gatewayForOperation } from '../gateways/load-gateway';
import { addOutbox } from '../outbox/outbox';
import { webhookEvent } from '../webhooks/emit';
import { subscriptionEventData, toSubscriptionView, type SubscriptionView } from './view';

export interface CreateSubscriptionInput {
  clientId: string;
  paymentMethodId: string;
  amount: string;
  currency?: string | null;
  interval: SubscriptionInterval;
  period: number;
  startDate?: Date | null;
  maxPeriods?: number | null;
  description: string;
  requireConfirmation?: boolean | null;
  idempotencyKey?: string | null;
}

export function checkPeriod(period: number, field = 'period'): number {
  if (!Number.isInteger(period) || period < 1 || period > MAX_PERIOD) throw badInput(`${field} must be a whole number from 1 to ${MAX_PERIOD}`, field);
  return period;
}

export function checkMaxPeriods(maxPeriods: number | null | undefined): number | null | undefined {
  if (maxPeriods === null || maxPeriods === undefined) return maxPeriods;
  if (!Number.isInteger(maxPeriods) || maxPeriods < 1 || maxPeriods > 100_000) throw badInput('maxPeriods must be a whole number from 1 to 100000', 'maxPeriods');
  return maxPeriods;
}

export const checkDescription = (value: string) => text(value, 'description', 500);

export async function createSubscription(ctx: Ctx, input: CreateSubscriptionInput): Promise<SubscriptionView> {
  const clientId = externalId(input.clientId, 'clientId');
  const methodId = paymentMethodId(input.paymentMethodId);
  const idempotencyKey = callerIdempotencyKey(input.idempotencyKey);
  const period = checkPeriod(input.period);
  const maxPeriods = checkMaxPeriods(input.maxPeriods) ?? null;
  const description = checkDescription(input.description);
  const now = new Date();
  const startDate = input.startDate ?? addPeriods(now, input.interval, period);
  if (Number.isNaN(startDate.getTime()) || startDate <= now) throw badInput(`startDate must be in the future (it is ${Number.isNaN(startDate.getTime()) ? 'not a date' : startDate.toISOString()})`, 'startDate');
  const { db } = ctx.deps;
  const client = await db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  if (input.currency != null && parseCurrency(input.currency) !== client.currency) {
    throw badInput(`currency ${input.currency} is not client ${clientId}'s (${client.currency}): a subscription charges the balance's currency`, 'currency');
  }
  const amount = parseAmount(input.amount, client.currency);
  const requireConfirmation = input.requireConfirmation ?? false;
  const hash = requestHash(['createSubscription', clientId, methodId, amount.toFixed(), input.interval, period, input.startDate?.toISOString() ?? null, maxPeriods, description, requireConfirmation]);

  const { row, replayed } = await once<Subscription>({
    key: idempotencyKey,
    requestHash: hash,
    what: 'subscription',
    find: (key) => db.subscription.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: key } } }),
    create: () => db.$transaction(async (tx) => {
      const card = await chargeableCard(ctx, tx, clientId, methodId, { capability: 'createSubscription', what: 'bill saved cards on a schedule' });
      return tx.subscription.create({
        data: {
          id: newId('sub'), organizationId: ctx.orgId, environment: ctx.env, clientId, clubId: card.clubId, gatewayId: card.gateway.id, paymentMethodId: card.method.id,
          amount: amount.toFixed(), currency: card.client.currency, interval: input.interval, period, maxPeriods, description, requireConfirmation,
          startDate, nextChargeAt: startDate, idempotencyKey, requestHash: hash,
        },
      });
    }),
  });
  if (replayed && (row.gatewaySubscriptionId || row.status === 'REJECTED')) return toSubscriptionView(row);
  // A replay may follow a create whose answer was lost: the gateway's list is read first.
  const made = await atGateway(ctx.deps, row, { create: true, lookFirst: replayed });
  ctx.log.info({ subscriptionId: made.id, gatewaySubscriptionId: made.gatewaySubscriptionId, status: made.status }, 'subscription created');
  return toSubscriptionView(made);
}

/** The gateway's subscription that is this row's, among an account's: the same terms and first charge. */
export function sameTerms(row: Subscription, g: GatewaySubscription): boolean {
  return g.accountId === row.clientId && g.currency === row.currency && Number(g.amount) === Number(row.amount) && g.interval === row.interval
    && g.period === row.period && g.startDate !== null && Math.abs(g.startDate.getTime() - row.startDate.getTime()) < 1000;
}

/**
 * Makes sure the row has its subscription at the gateway: one already found among the client's
 * (subscriptions/find), or, with `create`, a new one (the row's id as the request id, so a repeat
 * within the gateway's hour is answered, not carried out again). The gateway's refusal ends the
 * row REJECTED (nothing was created there) and is the caller's error; no answer leaves it for
 * the reconciliation job.
 */
export async function atGateway(deps: Deps, row: Subscription, { create, lookFirst = true }: { create: boolean; lookFirst?: boolean }): Promise<Subscription> {
  if (row.gatewaySubscriptionId) return row;
  const gateway = await gatewayForOperation(deps, row.gatewayId);
  const adapter = gateway.adapter;
  let found: GatewaySubscription | undefined;
  try {
    if (lookFirst) found = (await adapter.findSubscriptions!(gateway.env, gateway.creds, row.clientId)).find((g) => sameTerms(row, g));
    if (!found && create) {
      const method = await deps.db.savedPaymentMethod.findUniqueOrThrow({ where: { id: row.paymentMethodId } });
      const client = await deps.db.client.findUnique({ where: { organizationId_id: { organizationId: row.organizationId, id: row.clientId } }, select: { email: true } });
      const answer = await adapter.createSubscription!(gateway.env, gateway.creds, {
        accountId: row.clientId, token: deps.secrets.open(method.tokenEncrypted, cardTokenAad(method)), description: row.description, email: client?.email ?? null,
        amount: row.amount.toFixed(2), currency: row.currency, requireConfirmation: row.requireConfirmation, startDate: row.startDate,
        interval: row.interval, period: row.period, maxPeriods: row.maxPeriods,
      }, `subscription-${row.id}`);
      if (!answer.ok) {
        await deps.db.subscription.update({ where: { id: row.id }, data: { status: 'REJECTED', nextChargeAt: null } });
        throw new AppError('BAD_USER_INPUT', `${adapter.displayName} refused the subscription: ${answer.reason}`, { details: { subscriptionId: row.id, field: 'paymentMethodId' } });
      }
      found = answer.subscription;
    }
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    deps.log.warn({ subscriptionId: row.id, err: err.message }, 'subscription create not answered; the reconciliation job finds it at the gateway');
    throw new AppError('GATEWAY_ERROR', `${adapter.displayName} did not answer: ${err.message}; subscription ${row.id} is settled with the gateway later (the same idempotencyKey asks again)`, { cause: err, details: { subscriptionId: row.id } });
  }
  if (!found) return row;
  const gatewaySubscriptionId = found.id;
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ gatewaySubscriptionId: string | null }[]>`SELECT "gatewaySubscriptionId" FROM "Subscription" WHERE id = ${row.id} FOR UPDATE`;
    if (locked?.gatewaySubscriptionId) return tx.subscription.findUniqueOrThrow({ where: { id: row.id } });
    const stored = await tx.subscription.update({
      where: { id: row.id },
      data: { gatewaySubscriptionId, status: found.status ?? row.status, nextChargeAt: found.nextChargeAt ?? row.startDate },
    });
    await addOutbox(tx, [webhookEvent('SUBSCRIPTION_CREATED', stored, subscriptionEventData(stored))]);
    return stored;
  }).then((stored) => {
    deps.outboxSignal.notify(['webhook.event']);
    return stored;
  });
}

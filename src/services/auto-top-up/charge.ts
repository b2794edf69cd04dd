// The charge side of auto top-up, carried out by the 'auto-top-up' outbox handler. In the claim's
// transaction: the rule and card are checked again (a card deleted or no longer chargeable pauses
// the rule, nothing is charged) and the payment of the trigger is made, once (its idempotency key).
// After commit, outside any transaction: the merchant-initiated charge (TrInitiatorCode 0,
// PaymentScheduled 0, X-Request-ID charge-<payment>, so a repeat is answered, not charged again).
// A follow-up row asks again later while the payment is open (a lost answer, a killed worker).
import type { Ctx, Deps } from '../../context';
import type { Tx } from '../../db';
import { autoTopUpPaymentKey, triggerOfPaymentKey } from '../../domain/auto-top-up';
import { AppError } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { formatAmount } from '../../domain/money';
import { OPEN } from '../../domain/payment-state';
import type { Environment } from '../../generated/prisma/enums';
import { writeHistory } from '../book/persist';
import { chargePayment } from '../cards/charge-saved-card';
import { CHARGE_TOKEN, chargeableCard } from '../cards/chargeable-card';
import { cardMask } from '../cards/saved-methods';
import { addOutbox } from '../outbox/outbox';
import { webhookEvent } from '../webhooks/emit';

export const AUTO_TOP_UP_ACTOR = 'system:auto-top-up';
/** How long before a still-open payment's charge is sent again (the gateway answers a repeat with the first result), and how often. */
export const RECHECK_MS = 60_000;
export const MAX_RECHECKS = 5;

export interface AutoTopUpJob { environment: Environment; clientId: string; trigger: string; attempt: number }

const systemCtx = (deps: Deps, organizationId: string, environment: Environment): Ctx => ({ deps, orgId: organizationId, env: environment, role: 'OWNER', actor: AUTO_TOP_UP_ACTOR, log: deps.log });
const ruleKey = (organizationId: string, environment: Environment, clientId: string) => ({ organizationId_environment_clientId: { organizationId, environment, clientId } });

/** In the claim's transaction; returns the payment to charge after commit, if any. */
export async function prepareAutoTopUp(deps: Deps, tx: Tx, organizationId: string, job: AutoTopUpJob): Promise<{ paymentId: string; settleOnly: boolean } | null> {
  const scope = { organizationId, environment: job.environment };
  const key = autoTopUpPaymentKey(job.trigger);
  const existing = await tx.payment.findUnique({ where: { organizationId_environment_idempotencyKey: { ...scope, idempotencyKey: key } } });
  if (existing) {
    if (!OPEN.includes(existing.status)) return { paymentId: existing.id, settleOnly: true };
    if (job.attempt < MAX_RECHECKS) await recheckLater(tx, organizationId, { ...job, attempt: job.attempt + 1 });
    return { paymentId: existing.id, settleOnly: false };
  }
  if (job.attempt > 0) return null;
  const rule = await tx.autoTopUp.findUnique({ where: ruleKey(organizationId, job.environment, job.clientId) });
  if (!rule || rule.inFlightTrigger !== job.trigger) return null;
  const release = (pausedReason: string | null) => tx.autoTopUp.updateMany({ where: { ...scope, clientId: job.clientId, inFlightTrigger: job.trigger }, data: { inFlightTrigger: null, ...(pausedReason ? { pausedReason: pausedReason.slice(0, 500) } : {}) } });
  if (!rule.enabled || rule.pausedReason) {
    await release(null);
    return null;
  }
  const ctx = systemCtx(deps, organizationId, job.environment);
  let card;
  try {
    card = await chargeableCard(ctx, tx, job.clientId, rule.paymentMethodId, CHARGE_TOKEN);
  } catch (err) {
    if (!(err instanceof AppError) || (err.code !== 'BAD_USER_INPUT' && err.code !== 'NOT_FOUND')) throw err;
    await release(`not charged: ${err.message}`);
    deps.log.info({ clientId: job.clientId, trigger: job.trigger }, 'auto top-up paused: the card cannot be charged');
    return null;
  }
  const payment = await tx.payment.create({
    data: {
      id: newId('pay'), ...scope, clientId: job.clientId, clubId: card.clubId, gatewayId: card.gateway.id, gatewayType: card.gateway.type,
      amount: rule.amount.toString(), currency: card.client.currency, description: 'Auto top-up', idempotencyKey: key, paymentMethodId: card.method.id,
      expiresAt: new Date(Date.now() + deps.config.paymentTtlMs),
    },
  });
  await writeHistory(tx, payment.id, null, payment.status, AUTO_TOP_UP_ACTOR, { code: 'INITIATED', text: `auto top-up: merchant-initiated charge of saved card ${cardMask(card.method.cardFirstSix, card.method.cardLastFour)}`, data: { paymentMethodId: card.method.id, trigger: job.trigger } });
  await tx.autoTopUp.update({ where: ruleKey(organizationId, job.environment, job.clientId), data: { lastPaymentId: payment.id, lastChargeAt: new Date() } });
  await recheckLater(tx, organizationId, { ...job, attempt: 1 });
  return { paymentId: payment.id, settleOnly: false };
}

async function recheckLater(tx: Tx, organizationId: string, job: AutoTopUpJob): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Outbox" (key, kind, "organizationId", payload, "availableAt")
    VALUES (${`${autoTopUpPaymentKey(job.trigger)}:${job.attempt}`}, 'auto-top-up', ${organizationId}, ${JSON.stringify(job)}::jsonb, now() + ${RECHECK_MS * job.attempt} * interval '1 millisecond')
    ON CONFLICT (key) DO NOTHING`;
}

/** After commit: the charge (unless only settling), then the rule follows the payment's outcome. */
export async function chargeAutoTopUp(deps: Deps, paymentId: string, settleOnly: boolean): Promise<void> {
  const payment = await deps.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (!settleOnly && OPEN.includes(payment.status)) {
    try {
      await chargePayment(systemCtx(deps, payment.organizationId, payment.environment), payment, 'merchant');
    } catch (err) {
      // No answer: the payment stays PENDING; the follow-up row sends the same request again.
      if (!(err instanceof AppError) || err.code !== 'GATEWAY_ERROR') throw err;
      return;
    }
  }
  await settleAutoTopUp(deps, paymentId);
}

/** A closed payment releases the rule; a declined one (FAILED) pauses it and sends AUTO_TOP_UP_FAILED, once. */
export async function settleAutoTopUp(deps: Deps, paymentId: string): Promise<void> {
  const raised = await deps.db.$transaction(async (tx) => {
    const p = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const trigger = triggerOfPaymentKey(p.idempotencyKey);
    if (!trigger || OPEN.includes(p.status)) return false;
    const failed = p.status === 'FAILED';
    const reason = `the charge of payment ${p.id} was declined: ${p.failureReason ?? 'no reason given'}; call setAutoTopUp again to resume`;
    const { count } = await tx.autoTopUp.updateMany({
      where: { organizationId: p.organizationId, environment: p.environment, clientId: p.clientId, inFlightTrigger: trigger },
      data: { inFlightTrigger: null, ...(failed ? { pausedReason: reason.slice(0, 500) } : {}) },
    });
    if (!count || !failed) return false;
    const event = webhookEvent('AUTO_TOP_UP_FAILED', p, {
      clientId: p.clientId, paymentId: p.id, paymentMethodId: p.paymentMethodId, amount: formatAmount(p.amount, p.currency), currency: p.currency,
      failureReason: p.failureReason, failureCode: p.failureCode, pausedReason: reason,
    });
    await addOutbox(tx, [{ ...event, key: `auto-top-up-failed:${p.id}` }]);
    return true;
  });
  if (raised) deps.outboxSignal.notify(['webhook.event']);
}

// What the gateway says about subscriptions, applied: its Recurrent notifications (the state of a
// subscription) and the Pay, Fail and Check of each recurring charge. A subscription is found only
// among the verifying gateway's own (the tenant guard): a notification naming another gateway's
// or organization's subscription finds nothing and credits nothing.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import type { AttentionRaise } from '../../domain/attention';
import type { CallbackOutcome, GatewayEvent } from '../../domain/gateway-events';
import { newId } from '../../domain/ids';
import { Decimal, decimalFromText } from '../../domain/money';
import { decideWord, hasEnded, type SubscriptionWord } from '../../domain/subscriptions';
import type { Prisma, Subscription } from '../../generated/prisma/client';
import { raiseAttention } from '../attention/raise';
import { writeHistory } from '../book/persist';
import { isUniqueViolation } from '../common/db-errors';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';
import type { CallbackRecord, Verifier } from '../payments/gateway-word';
import { webhookEvent } from '../webhooks/emit';
import { subscriptionEventData } from './view';

type SubscriptionEvent = Extract<GatewayEvent, { kind: 'subscription' }>;
export type ChargeEvent = Extract<GatewayEvent, { kind: 'check' | 'authorized' | 'confirmed' | 'failed' }>;

export const isRecurringCharge = (event: GatewayEvent): event is ChargeEvent & { subscriptionId: string } =>
  (event.kind === 'check' || event.kind === 'authorized' || event.kind === 'confirmed' || event.kind === 'failed') && !!event.subscriptionId;

const gatewayUnchanged = async (tx: Tx, gateway: Verifier) =>
  (await tx.$queryRaw<{ version: string }[]>`SELECT xmin::text AS version FROM "PaymentGateway" WHERE id = ${gateway.id}`)[0]?.version === gateway.version;

async function lockSubscription(tx: Tx, gatewayId: string, gatewaySubscriptionId: string): Promise<Subscription | null> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Subscription" WHERE "gatewayId" = ${gatewayId} AND "gatewaySubscriptionId" = ${gatewaySubscriptionId} FOR UPDATE`;
  return row ? tx.subscription.findUniqueOrThrow({ where: { id: row.id } }) : null;
}

function callbackRow(record: CallbackRecord, outcome: CallbackOutcome, note: string | null, paymentId: string | null = null, transactionId: string | null = null) {
  return { ...record, verdict: 'VALID' as const, paymentId, gatewayTransactionId: transactionId, result: { outcome, ...(note ? { note } : {}) } as Prisma.InputJsonObject };
}

const scopeOf = (gateway: Verifier, record?: CallbackRecord) => ({
  organizationId: gateway.organizationId, environment: gateway.environment, subject: `gw:${gateway.id}`,
  evidence: { gatewayId: gateway.id, callbackId: record?.id ?? null },
});

/**
 * A Recurrent notification: the subscription's new state, applied only if it is newer than the
 * stored one (domain/subscriptions decideWord), so repeats and stale ones change nothing. Null:
 * the gateway changed while verifying (nothing written; verify again).
 */
export async function applySubscriptionWord(deps: Deps, gateway: Verifier, event: SubscriptionEvent, record?: CallbackRecord): Promise<CallbackOutcome | null> {
  const ok: CallbackOutcome = { result: 'ok' };
  const done = await deps.db.$transaction(async (tx) => {
    if (!(await gatewayUnchanged(tx, gateway))) return null;
    const outbox: OutboxEntry[] = [];
    const row = await lockSubscription(tx, gateway.id, event.subscriptionId);
    let note: string | null = null;
    const raise = async (item: AttentionRaise) => outbox.push(...await raiseAttention(tx, { ...scopeOf(gateway, record), ...(row ? { subject: `sub:${row.id}` } : {}) }, [item]));
    if (!row) {
      note = `subscription ${event.subscriptionId} is none of this gateway's: nothing changed`;
      await raise({ kind: 'UNKNOWN_SUBSCRIPTION', key: event.subscriptionId, evidence: { subscriptionId: event.subscriptionId, accountId: event.accountId, status: event.statusText } });
    } else if (event.accountId !== row.clientId || !event.status) {
      note = !event.status ? `status ${event.statusText} is not one Paygate knows: nothing changed` : `AccountId ${event.accountId} is not the subscription's client ${row.clientId}: nothing changed`;
      await raise({ kind: 'SUBSCRIPTION_DRIFT', key: `word:${event.accountId}:${event.statusText}`, evidence: { subscriptionId: row.id, accountId: event.accountId, status: event.statusText } });
    } else {
      const word: SubscriptionWord = { status: event.status, successfulCharges: event.successfulCharges, failedCharges: event.failedCharges, lastTransactionAt: event.lastTransactionAt, nextChargeAt: event.nextChargeAt };
      const applied = await applyWord(tx, row, word);
      outbox.push(...applied.outbox);
      note = applied.note;
      const amount = decimalFromText(event.amount);
      if (!amount || !amount.eq(row.amount.toString()) || event.currency !== row.currency) {
        await raise({ kind: 'SUBSCRIPTION_DRIFT', key: `amount:${event.amount}:${event.currency}`, evidence: { subscriptionId: row.id, amount: event.amount, currency: event.currency, ours: row.amount.toFixed(2) } });
      }
    }
    if (record) await tx.gatewayCallback.create({ data: callbackRow(record, ok, note) });
    return { outbox };
  });
  if (!done) return null;
  if (done.outbox.length) deps.outboxSignal.notify(done.outbox.map((e) => e.kind));
  return ok;
}

/** The gateway's word (a notification, or reconciliation's subscriptions/find) on a locked row; its partner events. */
export async function applyWord(tx: Tx, row: Subscription, word: SubscriptionWord): Promise<{ outbox: OutboxEntry[]; note: string | null; changed: boolean }> {
  const decision = decideWord(row, word);
  if (!decision.apply) return { outbox: [], note: `an older or repeated word (${decision.why}): nothing changed`, changed: false };
  const stored = await tx.subscription.update({
    where: { id: row.id },
    data: {
      ...decision.patch,
      ...(decision.patch.status === 'CANCELLED' && !row.cancelledAt ? { cancelledAt: new Date() } : {}),
      ...(hasEnded(decision.patch.status) ? { nextChargeAt: null } : {}),
    },
  });
  const outbox = await addOutbox(tx, decision.events.map((type) => webhookEvent(type, stored, subscriptionEventData(stored))));
  return { outbox, note: null, changed: true };
}

/**
 * A recurring charge's notification (it names a SubscriptionId; InvoiceId may be absent). For one
 * of this gateway's subscriptions: a Check is answered by the subscription (known, not ended, the
 * amount and account its own); a Pay or Fail becomes the payment of its transaction (one per
 * gateway transaction: the unique (gatewayId, gatewayTransactionId) makes duplicates and racing
 * copies one payment), made PENDING for the subscription's client, club and amount, and the event
 * goes on to the payment book naming it, which credits it once or records the decline (and notes
 * an amount that is not the subscription's). Not one of this gateway's subscriptions: the event
 * goes on unchanged (its InvoiceId, if any, decides; without one nothing is credited).
 */
export async function routeRecurringCharge(deps: Deps, gateway: Verifier, event: ChargeEvent & { subscriptionId: string }, record?: CallbackRecord): Promise<{ outcome: CallbackOutcome } | { event: GatewayEvent }> {
  const sub = await deps.db.subscription.findUnique({ where: { gatewayId_gatewaySubscriptionId: { gatewayId: gateway.id, gatewaySubscriptionId: event.subscriptionId } } });
  if (!sub) return { event };
  if (event.accountId !== undefined && event.accountId !== sub.clientId) {
    // Not this subscription's client: treated as naming no payment of ours (a person looks at it).
    return { event: { ...event, invoiceId: undefined, subscriptionId: undefined } };
  }
  if (event.kind === 'check') {
    const amount = decimalFromText(event.amount);
    const outcome: CallbackOutcome = hasEnded(sub.status)
      ? { result: 'declined', reason: 'NOT_PAYABLE' }
      : !amount || !amount.eq(new Decimal(sub.amount.toString())) || (event.currency !== undefined && event.currency !== sub.currency)
        ? { result: 'declined', reason: 'AMOUNT_MISMATCH' }
        : { result: 'ok' };
    if (record) await deps.db.gatewayCallback.create({ data: callbackRow(record, outcome, `recurring charge of subscription ${sub.id}`, null, event.transactionId) });
    return { outcome };
  }
  const paymentId = await paymentOfCharge(deps, sub, event.transactionId);
  return { event: { ...event, invoiceId: paymentId } };
}

async function paymentOfCharge(deps: Deps, sub: Subscription, transactionId: string): Promise<string> {
  const find = () => deps.db.payment.findUnique({ where: { gatewayId_gatewayTransactionId: { gatewayId: sub.gatewayId, gatewayTransactionId: transactionId } }, select: { id: true } });
  const existing = await find();
  if (existing) return existing.id;
  try {
    return await deps.db.$transaction(async (tx) => {
      const gatewayType = (await tx.paymentGateway.findUniqueOrThrow({ where: { id: sub.gatewayId }, select: { type: true } })).type;
      const payment = await tx.payment.create({
        data: {
          id: newId('pay'), organizationId: sub.organizationId, environment: sub.environment, clientId: sub.clientId, clubId: sub.clubId,
          gatewayId: sub.gatewayId, gatewayType, amount: sub.amount, currency: sub.currency, description: sub.description,
          gatewayTransactionId: transactionId, paymentMethodId: sub.paymentMethodId, subscriptionId: sub.id,
          expiresAt: new Date(Date.now() + deps.config.paymentTtlMs),
        },
      });
      await writeHistory(tx, payment.id, null, payment.status, `gateway:${sub.gatewayId}`, { code: 'INITIATED', text: `recurring charge of subscription ${sub.id}`, data: { subscriptionId: sub.id } });
      return payment.id;
    });
  } catch (err) {
    // A copy of the same notification made it first.
    if (!isUniqueViolation(err)) throw err;
    const made = await find();
    if (!made) throw err;
    return made.id;
  }
}

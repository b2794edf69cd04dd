// What a gateway says about a payment, applied: a verified callback (with its callback row, in
// the same transaction) or its API's answer during reconciliation and expiry. The book decides;
// this finds the payment, never one of another gateway (the tenant guard), and persists.
import { recordFiscalData } from '../receipts/issue-receipt';
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { decide, type Source } from '../../domain/book';
import type { CallbackOutcome, GatewayEvent, GatewayPaymentState } from '../../domain/gateway-events';
import type { Payment, Prisma } from '../../generated/prisma/client';
import { raiseAttention } from '../attention/raise';
import { applyDecision, attentionScope, type Who } from '../book/persist';
import { persistInOneStatement, persistsInOneStatement } from '../book/persist-sql';
import { afterCommit, runBook } from '../book/run';
import { loadPayment, loadPaymentOn, type Loaded } from '../book/snapshot';
import { sealedCardOf, withoutToken } from '../cards/seal-card';
import { applySubscriptionWord, isRecurringCharge, routeRecurringCharge } from '../subscriptions/gateway-word';

export interface CallbackRecord {
  id: string;
  gatewayId: string;
  gatewayType: Payment['gatewayType'];
  environment: Payment['environment'];
  kind: string;
  remoteAddress: string | null;
  headers: Prisma.InputJsonObject;
  /** The adapter's allow-listed fields of the body. */
  body: Prisma.InputJsonObject;
  bodySha256: string;
}

type Word = Exclude<GatewayEvent, { kind: 'ignored' | 'subscription' | 'receipt' }>;

/**
 * The payment a gateway's event is about, loaded only if it is one of this gateway's: another
 * gateway's word about it counts for nothing (the tenant guard). A Check only reads; every other
 * word may change the payment, so it is decided under the payment's lock.
 */
async function paymentOf(tx: Tx, gatewayId: string, event: Word): Promise<Loaded | null> {
  const options = { lock: event.kind !== 'check', refunds: event.kind === 'refunded', gatewayId, transactionId: transactionOf(event) };
  if (event.invoiceId) {
    const loaded = await loadPayment(tx, event.invoiceId, options);
    if (loaded || event.kind !== 'refunded') return loaded;
    if (await tx.payment.count({ where: { id: event.invoiceId } })) return null; // another gateway's
  }
  // A refund names the payment it refunds by the gateway's transaction id.
  if (event.kind === 'refunded') {
    const p = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: event.paymentTransactionId }, select: { id: true } });
    return p ? loadPayment(tx, p.id, options) : null;
  }
  return null;
}

const GATEWAY_VERSION = { name: 'gateway-version', text: 'SELECT xmin::text AS version FROM "PaymentGateway" WHERE id = $1' };

const transactionOf = (event: Word) => ('transactionId' in event ? event.transactionId : undefined);

/** The gateway a callback was verified with: its id, whose it is, and the version of it that did the verifying. */
export interface Verifier { id: string; version: string; organizationId: string; environment: Payment['environment'] }

/** A callback's actor; what it raises for a person goes to its gateway's organization and environment, with the callback named. */
const callbackWho = (gateway: Verifier, actor: string, record?: CallbackRecord): Who => ({
  actor,
  attention: { organizationId: gateway.organizationId, environment: gateway.environment, subject: `gw:${gateway.id}`, evidence: { gatewayId: gateway.id, callbackId: record?.id ?? null } },
});

/** The stored gateway is no longer the one that verified the callback: nothing was written; verify again. */
export const STALE_GATEWAY = 'stale-gateway';

export async function applyGatewayEvent(deps: Deps, gateway: Verifier, actor: string, given: GatewayEvent, record?: CallbackRecord): Promise<CallbackOutcome | typeof STALE_GATEWAY> {
  if (given.kind === 'receipt') return receiptWord(deps, gateway, given, record);
  // Subscriptions' words: a Recurrent is the subscription's; a recurring charge is first given its payment.
  if (given.kind === 'subscription') return (await applySubscriptionWord(deps, gateway, given, record)) ?? STALE_GATEWAY;
  let event: Exclude<GatewayEvent, { kind: 'subscription' | 'receipt' }> = given;
  if (isRecurringCharge(event)) {
    const routed = await routeRecurringCharge(deps, gateway, event, record);
    if ('outcome' in routed) return routed.outcome;
    event = routed.event as typeof event;
  }
  const now = new Date();
  const gatewayId = gateway.id;
  const fast = await inOneStatement(deps, gateway, actor, event, now, record);
  if (fast) return fast;
  const ran = await deps.db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ version: string }[]>`SELECT xmin::text AS version FROM "PaymentGateway" WHERE id = ${gatewayId}`;
    if (current?.version !== gateway.version) return null;
    let outcome: CallbackOutcome = { result: 'ok' };
    let ranBook = null;
    let paymentId: string | null = null;
    if (event.kind !== 'ignored') {
      const loaded = await paymentOf(tx, gatewayId, event);
      paymentId = loaded?.row.id ?? null;
      const card = sealedCardOf(deps.secrets, gatewayId, loaded?.row, event);
      const decision = decide(loaded?.snapshot ?? null, { kind: 'gateway-event', event: withoutToken(event), source: 'callback', now, transactionHeldBy: loaded?.transactionHeldBy ?? null, card });
      const who = callbackWho(gateway, actor, record);
      const applied = loaded ? await applyDecision(tx, loaded.row, decision, who) : null;
      const raised = decision.effects.flatMap((e) => (e.kind === 'attention' ? [e.item] : []));
      // About no payment (an unknown invoice): only its items are written, for the gateway's organization.
      const outbox = !loaded && raised.length ? await raiseAttention(tx, attentionScope(null, who)!, raised) : [];
      ranBook = { decision, applied: applied ?? { outbox } };
      outcome = decision.answer;
    }
    if (record) await tx.gatewayCallback.create({ data: callbackRow(record, event, paymentId, outcome, ranBook?.decision.attention) });
    return { outcome, ranBook, paymentId };
  });
  if (!ran) return STALE_GATEWAY;
  if (ran.ranBook) afterCommit(deps, ran.paymentId, ran.ranBook);
  return ran.outcome;
}

/**
 * The hot path of a callback that names its payment, in two statements through pg, outside Prisma's
 * runtime: read the payment, decide, and write the change, history, outbox and callback rows in
 * one statement guarded by the version read (persist-sql.ts). If the payment changed in between,
 * read and decide again. Null, having changed nothing, when the decision needs the general path
 * (refunds, ledger postings), the payment must be found another way, or it keeps changing.
 */
async function inOneStatement(deps: Deps, gateway: Verifier, actor: string, event: Exclude<GatewayEvent, { kind: 'subscription' | 'receipt' }>, now: Date, record?: CallbackRecord): Promise<CallbackOutcome | typeof STALE_GATEWAY | null> {
  if (event.kind !== 'ignored' && (event.kind === 'refunded' || !event.invoiceId)) return null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const loaded = event.kind === 'ignored' ? null : await loadPaymentOn(deps.pg, event.invoiceId!, { lock: false, gatewayId: gateway.id, transactionId: transactionOf(event) });
    // The gateway's version comes with the payment; without a payment it costs a query of its own.
    const gatewayVersion = loaded ? loaded.gatewayVersion : (await deps.pg.query<{ version: string }>({ ...GATEWAY_VERSION, values: [gateway.id] })).rows[0]?.version;
    if (gatewayVersion !== gateway.version) return STALE_GATEWAY;
    const decision = event.kind === 'ignored'
      ? null
      : decide(loaded?.snapshot ?? null, {
        kind: 'gateway-event', event: withoutToken(event), source: 'callback', now, transactionHeldBy: loaded?.transactionHeldBy ?? null,
        card: sealedCardOf(deps.secrets, gateway.id, loaded?.row, event),
      });
    if (decision && !persistsInOneStatement(decision)) return null;
    const outcome: CallbackOutcome = decision?.answer ?? { result: 'ok' };
    const paymentId = loaded?.row.id ?? null;
    const alongside = record ? [{ table: 'GatewayCallback', row: callbackRow(record, event, paymentId, outcome, decision?.attention) }] : [];
    const written = await persistInOneStatement(deps.pg, loaded, decision, callbackWho(gateway, actor, record), alongside);
    if (!written) continue;
    if (decision) afterCommit(deps, paymentId, { decision, applied: { outbox: written.outbox } });
    return outcome;
  }
  return null;
}

/**
 * A cash register's Receipt notification: fills in the receipt it names (services/receipts). One
 * this gateway never sent may be one whose sending has not committed yet: the gateway is asked to
 * send it again, which changes nothing if it is truly unknown.
 */
async function receiptWord(deps: Deps, gateway: Verifier, event: Extract<GatewayEvent, { kind: 'receipt' }>, record?: CallbackRecord): Promise<CallbackOutcome> {
  const known = await recordFiscalData(deps, { gatewayId: gateway.id, organizationId: gateway.organizationId }, event.fiscal);
  const outcome: CallbackOutcome = known ? { result: 'ok' } : { result: 'retry' };
  if (record) await deps.db.gatewayCallback.create({ data: callbackRow(record, event, null, outcome, known ? undefined : 'a receipt this gateway did not send (yet)') });
  return outcome;
}

function callbackRow(record: CallbackRecord, event: GatewayEvent, paymentId: string | null, outcome: CallbackOutcome, attention: unknown) {
  return {
    ...record,
    verdict: 'VALID' as const,
    paymentId,
    gatewayTransactionId: 'transactionId' in event ? event.transactionId : 'gatewayRefundId' in event ? event.gatewayRefundId : null,
    result: { outcome, ...(attention ? { note: attention } : {}) } as Prisma.InputJsonObject,
  };
}

/** What the gateway's API says of a payment (reconciliation, expiry), applied like its callbacks. */
export async function applyGatewayState(deps: Deps, payment: { id: string }, state: GatewayPaymentState, actor: string, source: Source) {
  return runBook(deps, payment.id, ({ transactionHeldBy }) => ({ kind: 'gateway-state', state, source, now: new Date(), transactionHeldBy }), {
    who: { actor },
    transactionId: 'transactionId' in state ? state.transactionId : undefined,
  });
}

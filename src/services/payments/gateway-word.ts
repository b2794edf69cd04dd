// What a gateway says about a payment, applied: a verified callback (with its callback row, in
// the same transaction) or its API's answer during reconciliation and expiry. The book decides;
// this finds the payment, never one of another gateway (the tenant guard), and persists.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { decide, type Source } from '../../domain/book';
import type { CallbackOutcome, GatewayEvent, GatewayPaymentState } from '../../domain/gateway-events';
import type { Payment, Prisma } from '../../generated/prisma/client';
import { applyDecision } from '../book/persist';
import { afterCommit, runBook } from '../book/run';
import { loadPayment } from '../book/snapshot';

export interface CallbackRecord {
  id: string;
  gatewayId: string;
  gatewayType: Payment['gatewayType'];
  kind: string;
  remoteAddress: string | null;
  headers: Prisma.InputJsonObject;
  /** The adapter's allow-listed fields of the body. */
  body: Prisma.InputJsonObject;
  bodySha256: string;
}

type Word = Exclude<GatewayEvent, { kind: 'ignored' }>;

/** The payment a gateway's event is about, if it is one of this gateway's. */
async function paymentOf(tx: Tx, gatewayId: string, event: Word): Promise<string | null> {
  if (event.invoiceId) {
    const p = await tx.payment.findUnique({ where: { id: event.invoiceId }, select: { gatewayId: true } });
    if (p?.gatewayId === gatewayId) return event.invoiceId;
    if (p) return null; // another gateway's payment: its word about it counts for nothing
  }
  // A refund names the payment it refunds by the gateway's transaction id.
  if (event.kind === 'refunded') {
    const p = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: event.paymentTransactionId }, select: { id: true } });
    return p?.id ?? null;
  }
  return null;
}

/** Another payment of this gateway that already holds the transaction id (the gateway names two with one). */
async function heldBy(tx: Tx, gatewayId: string, paymentId: string, transactionId: string | undefined): Promise<string | null> {
  if (!transactionId) return null;
  const other = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: transactionId, NOT: { id: paymentId } }, select: { id: true } });
  return other?.id ?? null;
}

const transactionOf = (event: Word) => ('transactionId' in event ? event.transactionId : undefined);

export async function applyGatewayEvent(deps: Deps, gatewayId: string, actor: string, event: GatewayEvent, record?: CallbackRecord): Promise<CallbackOutcome> {
  const now = new Date();
  const ran = await deps.db.$transaction(async (tx) => {
    let outcome: CallbackOutcome = { result: 'ok' };
    let ranBook = null;
    let paymentId: string | null = null;
    if (event.kind !== 'ignored') {
      paymentId = await paymentOf(tx, gatewayId, event);
      // A Check only reads; every other word may change the payment, so it is decided under its lock.
      const loaded = paymentId ? await loadPayment(tx, paymentId, { lock: event.kind !== 'check', refunds: event.kind === 'refunded' }) : null;
      const transactionHeldBy = loaded && transactionOf(event) !== loaded.row.gatewayTransactionId ? await heldBy(tx, gatewayId, loaded.row.id, transactionOf(event)) : null;
      const decision = decide(loaded?.snapshot ?? null, { kind: 'gateway-event', event, source: 'callback', now, transactionHeldBy });
      const applied = loaded ? await applyDecision(tx, loaded.row, decision, { actor }) : null;
      ranBook = { decision, applied };
      outcome = decision.answer;
    }
    if (record) {
      await tx.gatewayCallback.create({
        data: {
          ...record,
          verdict: 'VALID',
          paymentId,
          gatewayTransactionId: 'transactionId' in event ? event.transactionId : 'gatewayRefundId' in event ? event.gatewayRefundId : null,
          result: { outcome, ...(ranBook?.decision.attention ? { note: ranBook.decision.attention } : {}) } as Prisma.InputJsonObject,
        },
      });
    }
    return { outcome, ranBook, paymentId };
  });
  if (ran.ranBook) await afterCommit(deps, ran.paymentId, ran.ranBook);
  return ran.outcome;
}

/** What the gateway's API says of a payment (reconciliation, expiry), applied like its callbacks. */
export async function applyGatewayState(deps: Deps, payment: { id: string; gatewayId: string }, state: GatewayPaymentState, actor: string, source: Source) {
  return runBook(deps, payment.id, async (tx, snapshot) => ({
    kind: 'gateway-state',
    state,
    source,
    now: new Date(),
    transactionHeldBy: 'transactionId' in state && state.transactionId !== snapshot.gatewayTransactionId ? await heldBy(tx, payment.gatewayId, payment.id, state.transactionId) : null,
  }), { who: { actor } });
}

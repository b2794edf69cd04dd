// What a verified gateway notification does. Callbacks arrive at least once, late or out of
// order: every branch is idempotent, duplicates answer success and change nothing twice, and the
// callback row is written in the same transaction as its effect.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { Decimal } from '../../domain/money';
import { canTransition, CLOSED_UNPAID, OPEN, PAYABLE, SETTLED } from '../../domain/payment-state';
import { newId } from '../../domain/ids';
import type { Payment, Prisma } from '../../generated/prisma/client';
import type { CallbackOutcome, DeclineReason, GatewayEvent } from '../../gateways/types';
import { addOutbox, publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { changeStatus, lockPayment, recordEvent, recordNote } from './change-status';

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

interface Handled {
  outcome: CallbackOutcome;
  paymentId?: string;
  note?: string;
  outbox?: OutboxEntry[];
}

/**
 * Applies what the gateway says, in one transaction with the callback row when there is one
 * (reconciliation and expiry apply the gateway's API answers the same way, without a callback).
 */
export async function applyGatewayEvent(
  deps: Deps,
  gatewayId: string,
  actor: string,
  event: GatewayEvent,
  record?: CallbackRecord,
  /** Appended to history reasons, e.g. "reconciled with the gateway". */
  how?: string,
): Promise<CallbackOutcome> {
  const handled = await deps.db.$transaction(async (tx): Promise<Handled> => {
    const result = await apply(tx, gatewayId, actor, event, how ? ` (${how})` : '');
    if (record) {
      await tx.gatewayCallback.create({
        data: {
          ...record,
          verdict: 'VALID',
          paymentId: result.paymentId ?? null,
          gatewayTransactionId: 'transactionId' in event ? event.transactionId : 'gatewayRefundId' in event ? event.gatewayRefundId : null,
          result: { outcome: result.outcome, ...(result.note ? { note: result.note } : {}) } as Prisma.InputJsonObject,
        },
      });
    }
    return result;
  });
  if (handled.note) deps.log.warn({ callbackId: record?.id, paymentId: handled.paymentId, note: handled.note }, 'gateway event needs attention');
  await publishOutbox(deps, handled.outbox ?? []);
  return handled.outcome;
}

export const handleGatewayEvent = (deps: Deps, record: CallbackRecord, event: GatewayEvent) =>
  applyGatewayEvent(deps, record.gatewayId, `gateway:${record.gatewayId}`, event, record);

const OK: CallbackOutcome = { result: 'ok' };
/** Not now: the gateway should send it again later. */
const RETRY: CallbackOutcome = { result: 'retry' };
const decline = (reason: DeclineReason): CallbackOutcome => ({ result: 'declined', reason });

async function findPayment(tx: Tx, gatewayId: string, invoiceId: string | undefined, lock: boolean): Promise<Payment | null> {
  if (!invoiceId) return null;
  const p = lock ? await lockPayment(tx, invoiceId) : await tx.payment.findUnique({ where: { id: invoiceId } });
  return p && p.gatewayId === gatewayId ? p : null;
}

const sameAmount = (p: Payment, amount: string, currency: string | undefined) =>
  new Decimal(p.amount.toString()).equals(new Decimal(amount)) && (!currency || currency.toUpperCase() === p.currency);

/**
 * What a Pay or Confirm may report: the payment's amount, or for the capture of a hold, any part
 * of what is authorized (the gateway captured it: its word is what gets credited).
 */
function acceptableAmount(p: Payment, event: { kind: 'authorized' | 'confirmed'; amount: string; currency?: string }): boolean {
  if (event.currency && event.currency.toUpperCase() !== p.currency) return false;
  if (event.kind === 'confirmed' && p.status === 'AUTHORIZED') {
    const amount = new Decimal(event.amount);
    return amount.gt(0) && amount.lte((p.authorizedAmount ?? p.amount).toString());
  }
  return sameAmount(p, event.amount, event.currency);
}

/** Facts that do not stop a payment but that a person should see (recorded in its history). */
function oddities(p: Payment, event: { accountId?: string; currency?: string }): string[] {
  const notes: string[] = [];
  if (event.accountId !== undefined && event.accountId !== p.clientId) notes.push(`the gateway names account ${event.accountId.slice(0, 128)}, not client ${p.clientId}`);
  if (!event.currency) notes.push('the gateway did not state the currency');
  return notes;
}

/** A Fail or Cancel of an earlier attempt must not touch the hold of a later one. */
const staleForHold = (p: Payment, transactionId: string) =>
  p.status === 'AUTHORIZED' && p.gatewayTransactionId !== null && p.gatewayTransactionId !== transactionId;

const isExpired = (p: Payment) => p.failureCode === 'EXPIRED' || (p.status === 'PENDING' && p.expiresAt <= new Date()) || (p.status === 'FAILED' && p.expiresAt <= new Date());

async function apply(tx: Tx, gatewayId: string, actor: string, event: GatewayEvent, how: string): Promise<Handled> {
  switch (event.kind) {
    case 'check': {
      const p = await findPayment(tx, gatewayId, event.invoiceId, false);
      if (!p) return { outcome: decline('UNKNOWN_INVOICE') };
      const client = await tx.client.findUnique({ where: { organizationId_id: { organizationId: p.organizationId, id: p.clientId } } });
      if (!client?.isActive || (event.accountId !== undefined && event.accountId !== p.clientId)) {
        return { outcome: decline('ACCOUNT_MISMATCH'), paymentId: p.id };
      }
      if (!sameAmount(p, event.amount, event.currency)) return { outcome: decline('AMOUNT_MISMATCH'), paymentId: p.id };
      // A FAILED payment may be retried in the widget until it expires; CANCELLED by expiry answers 20.
      if (isExpired(p)) return { outcome: decline('EXPIRED'), paymentId: p.id };
      if (!PAYABLE.includes(p.status)) return { outcome: decline('NOT_PAYABLE'), paymentId: p.id };
      return { outcome: OK, paymentId: p.id };
    }

    case 'authorized':
    case 'confirmed': {
      const p = await findPayment(tx, gatewayId, event.invoiceId, true);
      if (!p) return { outcome: OK, note: `money taken for unknown invoice ${event.invoiceId ?? '(none)'} (transaction ${event.transactionId}): manual handling` };
      if (!acceptableAmount(p, event)) {
        const note = `gateway reports ${event.amount} ${event.currency ?? ''} for a ${p.amount} ${p.currency} payment: not applied, manual handling`;
        await recordNote(tx, p, actor, note, { transactionId: event.transactionId });
        return { outcome: OK, paymentId: p.id, note };
      }
      if (p.gatewayTransactionId && p.gatewayTransactionId !== event.transactionId && (SETTLED.includes(p.status) || p.status === 'AUTHORIZED')) {
        const note = `second payment ${event.transactionId} for an invoice already paid by ${p.gatewayTransactionId}: refund it manually`;
        await recordNote(tx, p, actor, note, { transactionId: event.transactionId });
        return { outcome: OK, paymentId: p.id, note };
      }
      const to = event.kind === 'confirmed' ? 'CONFIRMED' : 'AUTHORIZED';
      // A retried Pay for the very transaction that was since declined or voided is stale.
      const closedTransaction = CLOSED_UNPAID.includes(p.status) && p.gatewayTransactionId === event.transactionId;
      if (closedTransaction || p.status === to || SETTLED.includes(p.status) || !canTransition(p.status, to, 'gateway')) {
        return { outcome: OK, paymentId: p.id }; // a duplicate, or already further along
      }
      // A transaction id another payment of this gateway already holds: the gateway names two
      // payments with one transaction. Apply neither twice; a person decides.
      if (event.transactionId !== p.gatewayTransactionId) {
        const holder = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: event.transactionId, NOT: { id: p.id } }, select: { id: true } });
        if (holder) {
          const note = `transaction ${event.transactionId} is already recorded for payment ${holder.id}: not applied, manual handling`;
          await recordNote(tx, p, actor, note, { transactionId: event.transactionId });
          return { outcome: OK, paymentId: p.id, note };
        }
      }
      const revived = CLOSED_UNPAID.includes(p.status);
      const captured = to === 'CONFIRMED' && p.status === 'AUTHORIZED';
      const notes = oddities(p, event);
      if (captured && p.captureAmount && !p.captureAmount.equals(event.amount)) notes.push(`${p.captureAmount.toFixed(2)} was asked for; the gateway captured ${event.amount}`);
      const now = new Date();
      await changeStatus(tx, p, {
        to,
        cause: 'gateway',
        actor,
        reason: (revived
          ? `${to === 'CONFIRMED' ? 'paid' : 'authorized'} after the payment was ${p.status === 'FAILED' ? 'declined' : p.failureCode === 'EXPIRED' ? 'expired' : 'cancelled'}: the gateway took the money, so it stands`
          : captured ? `captured ${event.amount} of ${(p.authorizedAmount ?? p.amount).toFixed(2)} authorized`
          : to === 'CONFIRMED' ? `paid${event.note ? `; ${event.note}` : ''}` : 'authorized (two-stage)') + notes.map((n) => `; ${n}`).join('') + how,
        data: { transactionId: event.transactionId, ...(event.card ? { card: { ...event.card } } : {}), ...(event.testMode ? { testMode: true } : {}), ...(event.details ?? {}), ...(notes.length ? { notes } : {}) },
        patch: {
          ...(event.details ? { metadata: { ...(p.metadata as Prisma.JsonObject), ...event.details } } : {}),
          gatewayTransactionId: event.transactionId,
          ...(to === 'CONFIRMED' ? { confirmedAt: now } : { authorizedAt: now, authorizedAmount: event.amount, captureAmount: null, capturedAmount: null }),
          ...(captured ? { amount: event.amount, capturedAmount: event.amount } : {}),
        },
      });
      const outbox = to === 'CONFIRMED'
        ? [await addOutbox(tx, { key: `credit-${p.id}`, kind: 'payment.credit', organizationId: p.organizationId, payload: { paymentId: p.id } })]
        : [];
      return { outcome: OK, paymentId: p.id, outbox, ...(notes.length ? { note: notes.join('; ') } : {}) };
    }

    case 'failed': {
      const p = await findPayment(tx, gatewayId, event.invoiceId, true);
      if (!p) return { outcome: OK, note: `decline for unknown invoice ${event.invoiceId ?? '(none)'}` };
      // A late Fail never undoes a Pay; a repeated Fail changes nothing.
      if (!OPEN.includes(p.status)) return { outcome: OK, paymentId: p.id };
      if (staleForHold(p, event.transactionId)) return { outcome: OK, paymentId: p.id };
      const events: OutboxEntry[] = [];
      // The declined transaction is recorded, so a Pay retried for it later is known as stale.
      const takenElsewhere = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: event.transactionId, NOT: { id: p.id } }, select: { id: true } });
      await changeStatus(tx, p, {
        to: 'FAILED',
        cause: 'gateway',
        events,
        actor,
        reason: `declined: ${event.reason}${event.reasonCode ? ` (${event.reasonCode})` : ''}${how}`,
        data: { transactionId: event.transactionId, ...(event.card ? { card: { ...event.card } } : {}) },
        patch: { failureReason: event.reason, failureCode: event.reasonCode ?? null, ...(takenElsewhere ? {} : { gatewayTransactionId: event.transactionId }) },
      });
      return { outcome: OK, paymentId: p.id, outbox: events };
    }

    case 'cancelled': {
      const p = await findPayment(tx, gatewayId, event.invoiceId, true);
      if (!p) return { outcome: OK, note: `cancel for unknown invoice ${event.invoiceId ?? '(none)'}` };
      if (!OPEN.includes(p.status)) return { outcome: OK, paymentId: p.id };
      if (staleForHold(p, event.transactionId)) return { outcome: OK, paymentId: p.id };
      const events: OutboxEntry[] = [];
      await changeStatus(tx, p, { to: 'CANCELLED', cause: 'gateway', actor, reason: `cancelled at the gateway${how}`, data: { transactionId: event.transactionId }, events });
      return { outcome: OK, paymentId: p.id, outbox: events };
    }

    case 'refunded':
      return applyRefund(tx, gatewayId, actor, event);

    case 'progress': {
      const p = await findPayment(tx, gatewayId, event.invoiceId, true);
      if (!p) return { outcome: OK, note: `${event.note} for unknown invoice ${event.invoiceId ?? '(none)'}` };
      await recordNote(tx, p, actor, `${event.note}${how}`, event.details);
      await tx.payment.update({ where: { id: p.id }, data: { metadata: { ...(p.metadata as Prisma.JsonObject), ...event.details } } });
      return { outcome: OK, paymentId: p.id };
    }

    case 'ignored':
      return { outcome: OK };

    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * The gateway says money went back. Ours (matched by the refund id we sent in JsonData, or by the
 * gateway's refund id): settle it if our own call has not yet. Unknown: a refund made in the
 * gateway's dashboard, booked like ours.
 */
async function applyRefund(tx: Tx, gatewayId: string, actor: string, event: Extract<GatewayEvent, { kind: 'refunded' }>): Promise<Handled> {
  let p = await findPayment(tx, gatewayId, event.invoiceId, true);
  if (!p) {
    const byTransaction = await tx.payment.findFirst({ where: { gatewayId, gatewayTransactionId: event.paymentTransactionId } });
    p = byTransaction && (await lockPayment(tx, byTransaction.id));
  }
  if (!p) return { outcome: OK, note: `refund ${event.gatewayRefundId} of an unknown payment (transaction ${event.paymentTransactionId})` };

  const ours =
    (event.refundId ? await tx.refund.findFirst({ where: { id: event.refundId, paymentId: p.id } }) : null) ??
    (await tx.refund.findUnique({ where: { paymentId_gatewayRefundId: { paymentId: p.id, gatewayRefundId: event.gatewayRefundId } } }));
  const book = (refundId: string) =>
    addOutbox(tx, { key: `refund-${refundId}`, kind: 'refund.book', organizationId: p!.organizationId, payload: { refundId } });

  if (ours && !ours.amount.equals(event.amount)) {
    // Matched by an id, but not by the money: book neither amount without a person.
    const note = `gateway reports refund ${event.gatewayRefundId} of ${event.amount} for our refund ${ours.id} of ${ours.amount.toFixed(2)}: not booked, manual handling`;
    await recordNote(tx, p, actor, note, { refundId: ours.id, gatewayRefundId: event.gatewayRefundId });
    return { outcome: OK, paymentId: p.id, note };
  }
  if (ours) {
    if (ours.status === 'SUCCEEDED') return { outcome: OK, paymentId: p.id };
    // PENDING: the notification beat our own call's answer. FAILED: we took a timeout or refusal
    // for the answer, but the gateway did refund: its word wins, if our books can still take it.
    if (ours.status === 'FAILED') {
      const refunded = await tx.refund.aggregate({ where: { paymentId: p.id, status: 'SUCCEEDED' }, _sum: { amount: true } });
      if (new Decimal(refunded._sum.amount?.toString() ?? '0').plus(ours.amount.toString()).gt(p.amount.toString())) {
        const note = `gateway reports refund ${ours.id} done after it was recorded as failed, but it exceeds what is left of ${p.id}: manual handling`;
        await recordEvent(tx, p.id, p.status, { to: p.status, actor, reason: note, data: { refundId: ours.id, gatewayRefundId: event.gatewayRefundId } });
        return { outcome: OK, paymentId: p.id, note };
      }
    }
    await tx.refund.update({ where: { id: ours.id }, data: { status: 'SUCCEEDED', gatewayRefundId: event.gatewayRefundId, failureReason: null } });
    return { outcome: OK, paymentId: p.id, outbox: [await book(ours.id)] };
  }

  // Money can only go back once the payment is settled here: if its Pay is still on its way,
  // ask the gateway to send this again later.
  if (!SETTLED.includes(p.status)) {
    return { outcome: RETRY, paymentId: p.id, note: `refund ${event.gatewayRefundId} arrived before payment ${p.id} was settled (${p.status}); the gateway will retry` };
  }
  // A refund of ours whose answer and id never came back (a timeout) looks like this one.
  const pendingSameAmount = await tx.refund.findFirst({
    where: { paymentId: p.id, status: 'PENDING', gatewayRefundId: null, amount: event.amount },
    orderBy: { createdAt: 'asc' },
  });
  if (pendingSameAmount) {
    await tx.refund.update({ where: { id: pendingSameAmount.id }, data: { status: 'SUCCEEDED', gatewayRefundId: event.gatewayRefundId } });
    return { outcome: OK, paymentId: p.id, outbox: [await book(pendingSameAmount.id)] };
  }
  // The gateway's word counts against what it has refunded, not against our pending requests:
  // those will be refused by the gateway if this one used up the payment.
  const refunded = await tx.refund.aggregate({ where: { paymentId: p.id, status: 'SUCCEEDED' }, _sum: { amount: true } });
  const left = new Decimal(p.amount.toString()).minus(refunded._sum.amount?.toString() ?? '0');
  if (new Decimal(event.amount).gt(left)) {
    const note = `gateway refund ${event.gatewayRefundId} of ${event.amount} exceeds what is left of payment ${p.id} (${left.toFixed(2)}): manual handling`;
    await recordEvent(tx, p.id, p.status, { to: p.status, actor, reason: note, data: { gatewayRefundId: event.gatewayRefundId } });
    return { outcome: OK, paymentId: p.id, note };
  }
  const refund = await tx.refund.create({
    data: {
      id: newId('ref'), organizationId: p.organizationId, paymentId: p.id, status: 'SUCCEEDED', amount: event.amount,
      gatewayRefundId: event.gatewayRefundId, actor, reason: 'refunded at the gateway (dashboard)',
    },
  });
  return { outcome: OK, paymentId: p.id, outbox: [await book(refund.id)] };
}

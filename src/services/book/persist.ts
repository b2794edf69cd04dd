// Persisting what the book decided, in the caller's transaction: the payment's columns and
// status, its history, and every effect (outbox rows, refunds, ledger postings). What must
// happen after commit comes back: outbox entries to publish, and what to ask the gateway.
import type { Tx } from '../../db';
import type { Decision, Effect, HistoryEntry, PaymentPatch, SealedCard } from '../../domain/book';
import { newId } from '../../domain/ids';
import { type Decimal, formatAmount } from '../../domain/money';
import { Prisma, type Payment, type Refund } from '../../generated/prisma/client';
import type { PaymentStatus } from '../../generated/prisma/enums';
import { insertSql } from '../common/sql';
import { raiseAttention, type AttentionScope } from '../attention/raise';
import { postToLedger, type PostedEntry } from '../ledger/post';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';
import { paymentEvent } from '../webhooks/emit';

export interface Who {
  /** For history, ledger and refund rows: "token:tok_…", "gateway:gw_…", "system:expiry". */
  actor: string;
  /** The client's balance, read under its lock, for events that report it where nothing was posted. */
  balance?: Decimal;
  /** What a refund reserved by this decision carries. */
  refund?: { reason: string | null; idempotencyKey: string | null; requestHash: string };
  /** Where attention items go when the decision is about no payment (an unknown invoice: its gateway), and what their evidence adds. */
  attention?: Omit<AttentionScope, 'paymentId'>;
}

/** Whose attention items a decision about `p` (or, for none, `who`) raises. */
export function attentionScope(p: Pick<Payment, 'id' | 'organizationId' | 'environment'> | null, who: Who): AttentionScope | null {
  if (p) return { organizationId: p.organizationId, environment: p.environment, paymentId: p.id, evidence: who.attention?.evidence };
  return who.attention ?? null;
}

export interface Applied {
  payment: Payment;
  outbox: OutboxEntry[];
  asks: Extract<Effect, { kind: 'ask' }>[];
  reserved: Refund | null;
  posted: PostedEntry[];
}

export async function applyDecision(tx: Tx, row: Payment, decision: Decision, who: Who): Promise<Applied> {
  const applied: Applied = { payment: row, outbox: [], asks: [], reserved: null, posted: [] };
  if (decision.change) {
    const { to, patch } = decision.change;
    applied.payment = await tx.payment.update({ where: { id: row.id }, data: { ...columns(row, patch), ...(to ? { status: to } : {}) } });
  } else if (decision.history.length) {
    // A note alone moves the payment's version too, for the one-statement path's guard (persist-sql.ts).
    applied.payment = await tx.payment.update({ where: { id: row.id }, data: { updatedAt: new Date() } });
  }
  for (const entry of decision.history) await writeHistory(tx, row.id, row.status, applied.payment.status, who.actor, entry);
  for (const effect of decision.effects) await carryOut(tx, applied, effect, who);
  return applied;
}

/**
 * Many decisions that change no payment and only post and emit (the credit consumer's batch), in
 * one statement each for history, ledger and outbox, whatever the batch's size.
 */
export async function applyDecisions(tx: Tx, items: readonly { row: Payment; decision: Decision }[], who: Who): Promise<Applied[]> {
  for (const { row, decision } of items) {
    if (decision.change || decision.effects.some((e) => e.kind !== 'post' && e.kind !== 'emit' && e.kind !== 'attention')) {
      throw new Error(`applyDecisions takes postings, events and attention items only (payment ${row.id})`);
    }
  }
  const history = items.flatMap(({ row, decision }) => decision.history.map((entry) => historyRow(row.id, row.status, row.status, who.actor, entry)));
  if (history.length) await tx.$executeRaw(insertSql('PaymentEvent', history));
  const postings = items.flatMap(({ row: p, decision }) => decision.effects.flatMap((effect) => effect.kind === 'post'
    ? [{ organizationId: p.organizationId, environment: p.environment, clientId: p.clientId, kind: effect.ledgerKind, amount: effect.amount, paymentId: p.id, refundId: effect.refundId ?? null, actor: who.actor, reason: effect.reason }]
    : []));
  const posted = new Map<string | null, PostedEntry[]>();
  for (const entry of await postToLedger(tx, postings)) posted.set(entry.paymentId, [...(posted.get(entry.paymentId) ?? []), entry]);
  const applied = items.map(({ row }): Applied => ({ payment: row, outbox: [], asks: [], reserved: null, posted: posted.get(row.id) ?? [] }));
  for (const [i, { decision }] of items.entries()) {
    const a = applied[i];
    for (const effect of decision.effects) if (effect.kind === 'emit') a.outbox.push(eventOf(effect, a.payment, a.posted.at(-1)?.balanceAfter ?? who.balance));
  }
  await addOutbox(tx, applied.flatMap((a) => a.outbox));
  for (const [i, { row, decision }] of items.entries()) {
    const raised = decision.effects.flatMap((e) => (e.kind === 'attention' ? [e.item] : []));
    if (raised.length) applied[i].outbox.push(...await raiseAttention(tx, attentionScope(row, who)!, raised));
  }
  return applied;
}

/** One history row: a status change (from → to) or a note (the status stays). */
export async function writeHistory(tx: Tx, paymentId: string, from: PaymentStatus | null, to: PaymentStatus, actor: string, entry: HistoryEntry): Promise<void> {
  await tx.paymentEvent.create({ data: historyRow(paymentId, from, to, actor, entry) });
}

export function historyRow(paymentId: string, from: PaymentStatus | null, to: PaymentStatus, actor: string, entry: HistoryEntry) {
  return {
    paymentId, fromStatus: from, toStatus: to, actor, code: entry.code, reason: entry.text.slice(0, 500),
    data: { ...(entry.data ?? {}), ...(entry.key ? { repeatKey: entry.key } : {}) } as Prisma.InputJsonObject,
  };
}

function eventOf(effect: Extract<Effect, { kind: 'emit' }>, p: Payment, balance: Decimal | undefined): OutboxEntry {
  return paymentEvent(effect.event, p, { ...effect.extra, ...(effect.withBalance && balance ? { balanceAfter: formatAmount(balance, p.currency) } : {}) });
}

/** The outbox row of a credit or an event effect. */
export function outboxOf(effect: Extract<Effect, { kind: 'credit' | 'emit' }>, p: Payment, balance: Decimal | undefined): OutboxEntry {
  return effect.kind === 'credit'
    ? { key: `credit-${p.id}`, kind: 'payment.credit', organizationId: p.organizationId, payload: { paymentId: p.id } }
    : eventOf(effect, p, balance);
}

export function columns(row: Payment, patch: PaymentPatch): Prisma.PaymentUpdateInput {
  const amount = (d: Decimal | null | undefined) => (d === undefined ? undefined : d === null ? null : d.toFixed());
  return {
    gatewayTransactionId: patch.gatewayTransactionId,
    amount: amount(patch.amount) ?? undefined,
    authorizedAmount: amount(patch.authorizedAmount),
    captureAmount: amount(patch.captureAmount),
    capturedAmount: amount(patch.capturedAmount),
    refundedAmount: amount(patch.refundedAmount) ?? undefined,
    confirmedAt: patch.confirmedAt,
    authorizedAt: patch.authorizedAt,
    failureReason: patch.failureReason === undefined ? undefined : patch.failureReason?.slice(0, 500) ?? null,
    failureCode: patch.failureCode === undefined ? undefined : patch.failureCode?.slice(0, 32) ?? null,
    deletedAt: patch.deletedAt,
    documentNumber: patch.documentNumber,
    fee: amount(patch.fee),
    ...(patch.metadata ? { metadata: { ...(row.metadata as Prisma.JsonObject), ...patch.metadata } } : {}),
  };
}

/**
 * Keeps a card the payer agreed to save: one row per gateway, client and token (its fingerprint);
 * the same token again keeps the row (and its ciphertext) and brings it back if staff deleted it,
 * unless `keepDeleted` (then an existing row is left as it is).
 * `ifGuard`: only if CTE `g` found the payment (the one-statement path, persist-sql.ts).
 */
export function saveCardSql(p: Payment, card: SealedCard, ifGuard: boolean, keepDeleted = false): Prisma.Sql {
  const values = [
    card.id, p.organizationId, p.environment, p.clientId, p.gatewayId, p.clubId, card.fingerprint, card.tokenEncrypted,
    card.firstSix ?? null, card.lastFour ?? null, card.brand?.slice(0, 32) ?? null, card.expiresAt, p.id,
  ];
  return Prisma.sql`INSERT INTO "SavedPaymentMethod" ("id", "organizationId", "environment", "clientId", "gatewayId", "clubId", "fingerprint", "tokenEncrypted", "cardFirstSix", "cardLastFour", "brand", "expiresAt", "sourcePaymentId")
    SELECT ${Prisma.join(values.slice(0, 2))}, ${values[2]}::"Environment", ${Prisma.join(values.slice(3))}
    ${ifGuard ? Prisma.sql`WHERE EXISTS (SELECT 1 FROM g)` : Prisma.empty}
    ON CONFLICT ("gatewayId", "clientId", "fingerprint") ${keepDeleted ? Prisma.sql`DO NOTHING` : Prisma.sql`DO UPDATE SET "deletedAt" = NULL, "expiresAt" = EXCLUDED."expiresAt"`}`;
}

async function carryOut(tx: Tx, applied: Applied, effect: Effect, who: Who): Promise<void> {
  const p = applied.payment;
  const outbox = async (entry: OutboxEntry) => void applied.outbox.push(...await addOutbox(tx, [entry]));
  const book = (refundId: string) => outbox({ key: `refund-${refundId}`, kind: 'refund.book', organizationId: p.organizationId, payload: { refundId } });
  switch (effect.kind) {
    case 'credit':
    case 'emit': {
      return outbox(outboxOf(effect, p, applied.posted.at(-1)?.balanceAfter ?? who.balance));
    }
    case 'settle-refund':
      await tx.refund.update({ where: { id: effect.refundId }, data: { status: effect.status, gatewayRefundId: effect.gatewayRefundId, failureReason: null } });
      return book(effect.refundId);
    case 'fail-refund':
      await tx.refund.update({ where: { id: effect.refundId }, data: { status: effect.status, failureReason: effect.reason.slice(0, 500) } });
      return;
    case 'record-refund': {
      const refund = await tx.refund.create({
        data: {
          id: newId('ref'), organizationId: p.organizationId, environment: p.environment, paymentId: p.id, status: effect.status, amount: effect.amount.toFixed(),
          gatewayRefundId: effect.gatewayRefundId, actor: who.actor, reason: 'refunded at the gateway (dashboard)',
        },
      });
      return book(refund.id);
    }
    case 'reserve-refund':
      applied.reserved = await tx.refund.create({
        data: {
          id: newId('ref'), organizationId: p.organizationId, environment: p.environment, paymentId: p.id, amount: effect.amount.toFixed(), actor: who.actor,
          reason: who.refund?.reason ?? null, idempotencyKey: who.refund?.idempotencyKey ?? null, requestHash: who.refund?.requestHash ?? null,
        },
      });
      return;
    case 'post':
      applied.posted.push(...await postToLedger(tx, [{
        organizationId: p.organizationId, environment: p.environment, clientId: p.clientId, kind: effect.ledgerKind, amount: effect.amount,
        paymentId: p.id, refundId: effect.refundId ?? null, actor: who.actor, reason: effect.reason,
      }]));
      return;
    case 'set-shortfall':
      await tx.refund.update({ where: { id: effect.refundId }, data: { shortfall: effect.shortfall.toFixed() } });
      return;
    case 'attention':
      applied.outbox.push(...await raiseAttention(tx, attentionScope(p, who)!, [effect.item]));
      return;
    case 'save-card':
      await tx.$executeRaw(saveCardSql(p, effect.card, false, effect.keepDeleted));
      return;
    case 'ask':
      applied.asks.push(effect);
      return;
    default: {
      const exhaustive: never = effect;
      void exhaustive;
    }
  }
}

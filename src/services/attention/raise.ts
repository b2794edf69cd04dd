// Raising items of the attention queue, in the caller's transaction (or its one statement): an item
// is written once per dedupe key (racing duplicates raise one), and only a newly written item sends
// partners an ATTENTION_NEEDED event, through the outbox, in the same transaction.
import type { Tx } from '../../db';
import { dedupeKey, type AttentionRaise, type Evidence } from '../../domain/attention';
import type { Environment } from '../../domain/environment';
import { newId } from '../../domain/ids';
import { Prisma } from '../../generated/prisma/client';
import { insertSql, sqlValue, type Row } from '../common/sql';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';
import { webhookEvent } from '../webhooks/emit';

/** Whose item it is, and what it is about when no payment is (a gateway, an outbox row). */
export interface AttentionScope {
  organizationId: string;
  environment: Environment;
  paymentId?: string | null;
  /** The dedupe subject without a payment, e.g. "gw:<gatewayId>" or "outbox:<key>". */
  subject?: string;
  /** Added to every item's evidence (e.g. the gateway and callback it came with). */
  evidence?: Evidence;
  /** No ATTENTION_NEEDED event (an item about an undeliverable ATTENTION_NEEDED event must not make another). */
  silent?: boolean;
}

interface Prepared {
  row: Row & { id: string; at: Date };
  event: OutboxEntry;
}

function prepare(scope: AttentionScope, item: AttentionRaise): Prepared {
  const at = new Date();
  const subject = scope.paymentId ?? scope.subject ?? '-';
  const row = {
    id: newId('att'), organizationId: scope.organizationId, environment: scope.environment, kind: item.kind,
    dedupeKey: dedupeKey(item.kind, subject, item.key), paymentId: scope.paymentId ?? null, refundId: item.refundId ?? null,
    evidence: { ...scope.evidence, ...item.evidence }, at,
  };
  const event = webhookEvent('ATTENTION_NEEDED', scope, {
    id: row.id, kind: row.kind, at: at.toISOString(), paymentId: row.paymentId, refundId: row.refundId, evidence: row.evidence,
  }, at);
  return { row, event };
}

const ON_DEDUPE = Prisma.raw('ON CONFLICT ("organizationId", environment, "dedupeKey") DO NOTHING');

/** Writes the items not yet raised and their events; returns the outbox entries written. */
export async function raiseAttention(tx: Tx, scope: AttentionScope, items: readonly AttentionRaise[]): Promise<OutboxEntry[]> {
  const events: OutboxEntry[] = [];
  for (const item of items) {
    const { row, event } = prepare(scope, item);
    const inserted = await tx.$queryRaw<{ id: string }[]>`${insertSql('AttentionItem', [row])} ${ON_DEDUPE} RETURNING id`;
    if (inserted.length && !scope.silent) events.push(...await addOutbox(tx, [event]));
  }
  return events;
}

/**
 * The same as parts of one statement (persist-sql.ts): the item's INSERT as CTE `name` (only if
 * CTE `g` found the payment, when `ifGuard`), and its event's INSERT only if the item was new.
 */
export function raiseAttentionSql(scope: AttentionScope, item: AttentionRaise, name: string, ifGuard: boolean): { item: Prisma.Sql; event: Prisma.Sql; outbox: OutboxEntry } {
  const { row, event } = prepare(scope, item);
  const insert = Prisma.sql`${insertSql('AttentionItem', [row], { ifGuard })} ${ON_DEDUPE} RETURNING id`;
  const e = event as unknown as Row;
  const cols = Object.keys(e);
  const eventSql = Prisma.sql`INSERT INTO "Outbox" (${Prisma.raw(cols.map((c) => `"${c}"`).join(', '))})
    SELECT ${Prisma.join(cols.map((c) => sqlValue(e[c])))} WHERE EXISTS (SELECT 1 FROM ${Prisma.raw(name)}) ON CONFLICT (key) DO NOTHING`;
  return { item: insert, event: eventSql, outbox: event };
}

/**
 * For staff actions that find the client paid twice (e.g. a gateway's Pay for a payment marked paid
 * by hand): raises one DOUBLE_PAYMENT item per payment and transaction, with its ATTENTION_NEEDED
 * event, in `tx`. After commit, wake the outbox: `deps.outboxSignal.notify(events.map((e) => e.kind))`.
 */
export function raiseDoublePayment(
  tx: Tx,
  payment: { id: string; organizationId: string; environment: Environment },
  evidence: { transactionId: string; amount: string; currency: string; summary?: string } & Evidence,
): Promise<OutboxEntry[]> {
  return raiseAttention(tx, { organizationId: payment.organizationId, environment: payment.environment, paymentId: payment.id }, [
    { kind: 'DOUBLE_PAYMENT', key: evidence.transactionId, evidence: { summary: `second payment ${evidence.transactionId} for payment ${payment.id}: refund it or credit it by hand`, ...evidence } },
  ]);
}

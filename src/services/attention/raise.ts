// Raising items of the attention queue, in the caller's transaction (or its one statement): an item
// is written once per dedupe key (racing duplicates raise one), and only a newly written item sends
// partners an ATTENTION_NEEDED event, through the outbox, in the same transaction (or, where the
// caller asks, a closed item reopened: `onRepeat`).
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
  /**
   * What an item already there becomes (raiseAttention only): left as it is (the default); `reopen`,
   * a closed one opened again, with a new event (the same outbox row given up again); `count`, its
   * evidence's `count` raised by one, with no event (a flood folded into one item).
   */
  onRepeat?: 'keep' | 'reopen' | 'count';
}

interface Prepared {
  row: Row & { id: string; at: Date };
  event: OutboxEntry;
}

function prepare(scope: AttentionScope, item: AttentionRaise, id = newId('att'), at = new Date()): Prepared {
  const subject = scope.paymentId ?? scope.subject ?? '-';
  const row = {
    id, organizationId: scope.organizationId, environment: scope.environment, kind: item.kind,
    dedupeKey: dedupeKey(item.kind, subject, item.key), paymentId: scope.paymentId ?? null, refundId: item.refundId ?? null,
    evidence: { ...scope.evidence, ...item.evidence }, at,
  };
  const event = webhookEvent('ATTENTION_NEEDED', scope, {
    id: row.id, kind: row.kind, at: at.toISOString(), paymentId: row.paymentId, refundId: row.refundId, evidence: row.evidence,
  }, at);
  return { row, event };
}

const ON_DEDUPE = Prisma.raw('ON CONFLICT ("organizationId", environment, "dedupeKey") DO NOTHING');
const ON_REPEAT = {
  keep: ON_DEDUPE,
  reopen: Prisma.raw(`ON CONFLICT ("organizationId", environment, "dedupeKey") DO UPDATE SET "resolvedAt" = NULL, "resolvedBy" = NULL, note = NULL, at = EXCLUDED.at, evidence = EXCLUDED.evidence
    WHERE "AttentionItem"."resolvedAt" IS NOT NULL`),
  count: Prisma.raw(`ON CONFLICT ("organizationId", environment, "dedupeKey") DO UPDATE
    SET evidence = jsonb_set("AttentionItem".evidence, '{count}', to_jsonb(coalesce(("AttentionItem".evidence ->> 'count')::int, 1) + 1))`),
};

/** Writes the items not yet raised (or reopened) and their events; returns the outbox entries written. */
export async function raiseAttention(tx: Tx, scope: AttentionScope, items: readonly AttentionRaise[]): Promise<OutboxEntry[]> {
  const events: OutboxEntry[] = [];
  const onRepeat = scope.onRepeat ?? 'keep';
  for (const item of items) {
    const { row } = prepare(scope, item);
    // xmax = 0: the row was inserted, not updated; reopened rows come back under the item's own id.
    const [written] = await tx.$queryRaw<{ id: string; fresh: boolean }[]>`
      ${insertSql('AttentionItem', [row])} ${ON_REPEAT[onRepeat]} RETURNING id, (xmax = 0) AS fresh`;
    const alert = written && (written.fresh || onRepeat === 'reopen');
    if (alert && !scope.silent) events.push(...await addOutbox(tx, [prepare(scope, item, written.id, row.at).event]));
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

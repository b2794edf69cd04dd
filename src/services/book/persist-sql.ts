// The callback's hot path: a decision that changes at most the payment's columns and status, and
// writes history and outbox rows (a Pay, a Check, a Fail…), persisted in ONE statement, with the
// callback row beside it, and no explicit transaction: the statement is guarded by the version of
// the payment the decision was made on, and writes nothing if the payment changed since (the
// caller reads again and decides again). Decisions that touch refunds or the ledger take the
// general path (persist.ts). Both build their rows with the same functions.
import type { Pool, PoolClient } from 'pg';
import type { Decision, Effect } from '../../domain/book';
import { Prisma, type Payment } from '../../generated/prisma/client';
import { insertSql, runSql as run, sqlValue, type Row } from '../common/sql';
import { raiseAttentionSql } from '../attention/raise';
import type { OutboxEntry } from '../outbox/outbox';
import { attentionScope, columns, historyRow, outboxOf, saveCardSql, type Who } from './persist';

type Simple = Extract<Effect, { kind: 'credit' | 'emit' }>;
const isSimple = (e: Effect): e is Simple => e.kind === 'credit' || e.kind === 'emit';

/** Whether persistInOneStatement can persist the decision (a saved card and attention items ride along). */
export const persistsInOneStatement = (decision: Decision): boolean => decision.effects.every((e) => isSimple(e) || e.kind === 'attention' || e.kind === 'save-card');

/**
 * Persists the decision about `row`, read at `version` (no row: only `alongside`, rows of other
 * tables), in one statement. Returns the payment as it now is and the outbox entries written; null,
 * having written nothing, when the payment is no longer at `version`.
 */
export async function persistInOneStatement(pg: Pool | PoolClient, loaded: { row: Payment; version: string } | null, decision: Decision | null, who: Who, alongside: { table: string; row: object }[] = []): Promise<{ payment: Payment | null; outbox: OutboxEntry[] } | null> {
  const row = loaded?.row ?? null;
  const writes: Prisma.Sql[] = [];
  let payment = row;
  if (row && decision?.change) {
    const { to, patch } = decision.change;
    const set = Object.entries({ ...columns(row, patch), ...(to ? { status: to } : {}) }).filter(([, v]) => v !== undefined);
    payment = { ...row, ...Object.fromEntries(set.map(([k, v]) => [k, asDecimal(k, v)])), updatedAt: new Date() } as Payment;
    writes.push(Prisma.sql`UPDATE "Payment" SET ${Prisma.join([...set.map(([k, v]) => Prisma.sql`${Prisma.raw(`"${k}"`)} = ${sqlValue(v)}`), Prisma.sql`"updatedAt" = now()`])} WHERE id = (SELECT id FROM g)`);
  }
  const outbox = payment && decision ? decision.effects.filter(isSimple).map((e) => outboxOf(e, payment!, who.balance)) : [];
  const rows: { table: string; row: Row }[] = [
    ...(row && decision ? decision.history.map((h) => ({ table: 'PaymentEvent', row: historyRow(row.id, row.status, payment!.status, who.actor, h) as Row })) : []),
    ...outbox.map((o) => ({ table: 'Outbox', row: o as unknown as Row })),
    ...alongside.map((a) => ({ table: a.table, row: a.row as Row })),
  ];
  const raised = decision ? decision.effects.flatMap((e) => (e.kind === 'attention' ? [e.item] : [])) : [];
  const scope = raised.length ? attentionScope(row, who) : null;
  if (raised.length && !scope) throw new Error('attention items of a decision about no payment need who.attention');
  // Each item as a CTE of its own, its event written only if the item was new (one per dedupe key).
  const raise = (ifGuard: boolean) => {
    for (const item of raised) {
      const parts = raiseAttentionSql(scope!, item, `w${writes.length}`, ifGuard);
      writes.push(parts.item, parts.event);
      outbox.push(parts.outbox);
    }
  };
  for (const e of decision?.effects ?? []) if (row && e.kind === 'save-card') writes.push(saveCardSql(row, e.card, true, e.keepDeleted));
  const guarded = loaded !== null && (writes.length > 0 || rows.length > alongside.length || raised.length > 0);
  if (!guarded) {
    for (const r of rows) writes.push(insertSql(r.table, [r.row], { onConflict: conflictOf(r.table) }));
    raise(false);
    if (writes.length) await run(pg, Prisma.sql`WITH ${ctes(writes)} SELECT 1`);
    return { payment, outbox };
  }
  // A decision that only adds history still moves the payment's version (xmin), so a racing
  // writer decided on the same version waits, finds it moved, and decides again, on this note.
  // One that only raises items (a repeated note) does not: their dedupe key keeps them one, and
  // the guard's lock alone keeps a stale decision from raising anything.
  if (!writes.length && rows.length > alongside.length) writes.push(Prisma.sql`UPDATE "Payment" SET "updatedAt" = now() WHERE id = (SELECT id FROM g)`);
  for (const r of rows) writes.push(insertSql(r.table, [r.row], { onConflict: conflictOf(r.table), ifGuard: true }));
  raise(true);
  // The payment, locked for the statement, only if it is still the version decided on (after a
  // wait for another writer's lock, Postgres rechecks the condition on the row as that one left it).
  const guard = Prisma.sql`SELECT id FROM "Payment" WHERE id = ${row!.id} AND xmin::text = ${loaded!.version} FOR UPDATE`;
  const [{ n }] = await run<{ n: number }>(pg, Prisma.sql`WITH g AS (${guard}), ${ctes(writes)} SELECT count(*)::int AS n FROM g`);
  return n === 1 ? { payment, outbox } : null;
}

/** An outbox row already there (a repeated effect) is kept. */
const conflictOf = (table: string) => (table === 'Outbox' ? 'key' : undefined);

const ctes = (parts: Prisma.Sql[]) => Prisma.join(parts.map((part, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${part})`));


const DECIMALS = new Set(['amount', 'refundedAmount', 'authorizedAmount', 'captureAmount', 'capturedAmount', 'fee']);
const asDecimal = (k: string, v: unknown) => (DECIMALS.has(k) && v !== null ? new Prisma.Decimal(String(v)) : v);

// The callback's hot path: a decision that changes at most the payment's columns and status, and
// writes history and outbox rows (a Pay, a Check, a Fail…), persisted in ONE statement on a pg
// connection, with the callback row beside it. Decisions that touch refunds or the ledger take
// the general path (persist.ts). Both build their rows with the same functions.
import type { PoolClient } from 'pg';
import type { Decision, Effect } from '../../domain/book';
import { Prisma, type Payment } from '../../generated/prisma/client';
import type { OutboxEntry } from '../outbox/outbox';
import { columns, historyRow, outboxOf, type Who } from './persist';

type Simple = Extract<Effect, { kind: 'credit' | 'emit' }>;
const isSimple = (e: Effect): e is Simple => e.kind === 'credit' || e.kind === 'emit';

/** Whether persistInOneStatement can persist the decision. */
export const persistsInOneStatement = (decision: Decision): boolean => decision.effects.every(isSimple);

type Row = Record<string, unknown>;

/**
 * Persists the decision about `row` (none: only `alongside`, rows of other tables) in one
 * statement of the caller's transaction. Returns the payment as it now is and the outbox entries written.
 */
export async function persistInOneStatement(client: PoolClient, row: Payment | null, decision: Decision | null, who: Who, alongside: { table: string; row: object }[] = []): Promise<{ payment: Payment | null; outbox: OutboxEntry[] }> {
  const parts: Prisma.Sql[] = [];
  let payment = row;
  if (row && decision?.change) {
    const { to, patch } = decision.change;
    const set = Object.entries({ ...columns(row, patch), ...(to ? { status: to } : {}) }).filter(([, v]) => v !== undefined);
    payment = { ...row, ...Object.fromEntries(set.map(([k, v]) => [k, asDecimal(k, v)])), updatedAt: new Date() } as Payment;
    parts.push(Prisma.sql`UPDATE "Payment" SET ${Prisma.join([...set.map(([k, v]) => Prisma.sql`${Prisma.raw(`"${k}"`)} = ${value(v)}`), Prisma.sql`"updatedAt" = now()`])} WHERE id = ${row.id}`);
  }
  const outbox = payment && decision ? decision.effects.filter(isSimple).map((e) => outboxOf(e, payment!, who.balance)) : [];
  if (row && decision?.history.length) parts.push(insert('PaymentEvent', decision.history.map((h) => historyRow(row.id, row.status, payment!.status, who.actor, h))));
  if (outbox.length) parts.push(Prisma.sql`${insert('Outbox', outbox as unknown as Row[])} ON CONFLICT (key) DO NOTHING`);
  for (const a of alongside) parts.push(insert(a.table, [a.row as Row]));
  if (!parts.length) return { payment, outbox };
  const q = Prisma.sql`WITH ${Prisma.join(parts.map((part, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${part})`))} SELECT 1`;
  await client.query(q.text, q.values);
  return { payment, outbox };
}

function insert(table: string, rows: readonly Row[]): Prisma.Sql {
  const cols = Object.keys(rows[0]);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(cols.map((c) => `"${c}"`).join(', '))})
    VALUES ${Prisma.join(rows.map((r) => Prisma.sql`(${Prisma.join(cols.map((c) => value(r[c])))})`))}`;
}

/** Parameters as Postgres reads them: JSON columns as JSON text, decimals as their digits. */
function value(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date || typeof v !== 'object') return v;
  if (v instanceof Prisma.Decimal) return v.toFixed();
  return JSON.stringify(v);
}

const DECIMALS = new Set(['amount', 'refundedAmount', 'authorizedAmount', 'captureAmount', 'capturedAmount']);
const asDecimal = (k: string, v: unknown) => (DECIMALS.has(k) && v !== null ? new Prisma.Decimal(String(v)) : v);

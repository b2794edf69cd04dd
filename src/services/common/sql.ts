// Multi-row INSERTs as one raw statement, for the paths where Prisma's createMany costs more than
// the SQL (the callback's one statement, the credit consumer's batch). Column names come from the
// rows' keys (written in code, never from input); values are parameters, typed by their columns.
import type { Pool, PoolClient } from 'pg';
import { Prisma } from '../../generated/prisma/client';

export type Row = Record<string, unknown>;

/** INSERT INTO table (the first row's keys) VALUES (…), (…)…; `ifGuard`: one row, only if CTE `g` found a row. */
export function insertSql(table: string, rows: readonly Row[], options: { onConflict?: string; ifGuard?: boolean } = {}): Prisma.Sql {
  if (!rows.length) throw new Error(`insertSql(${table}): no rows`);
  const cols = Object.keys(rows[0]);
  const into = Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(cols.map((c) => `"${c}"`).join(', '))})`;
  const tuple = (r: Row) => Prisma.join(cols.map((c) => sqlValue(r[c])));
  const body = options.ifGuard
    ? Prisma.sql`${into} SELECT ${tuple(rows[0])} WHERE EXISTS (SELECT 1 FROM g)`
    : Prisma.sql`${into} VALUES ${Prisma.join(rows.map((r) => Prisma.sql`(${tuple(r)})`))}`;
  return options.onConflict ? Prisma.sql`${body} ON CONFLICT (${Prisma.raw(`"${options.onConflict}"`)}) DO NOTHING` : body;
}

/** A parameter as Postgres reads it: JSON columns as JSON text, decimals as their digits. */
export function sqlValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date || typeof v !== 'object') return v;
  if (v instanceof Prisma.Decimal) return v.toFixed();
  return JSON.stringify(v);
}

/** A statement built with Prisma.sql, run through pg on the pool Prisma shares (no Prisma runtime). */
export async function runSql<T = unknown>(pg: Pool | PoolClient, q: Prisma.Sql): Promise<T[]> {
  return (await pg.query(q.text, q.values)).rows as T[];
}

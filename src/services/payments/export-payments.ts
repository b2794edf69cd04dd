// GET /exports/payments.csv: the payments list's filter (with the saved and default filters in force)
// as CSV, newest first, read in keyset chunks through pg so that 100 000 rows take the memory of
// one chunk. Amounts are decimal text with the currency's digits, instants the organization's wall
// clock with its offset. Not a snapshot: each chunk reads the rows as they are then, and with them
// whether the key still stands (a key revoked or expired mid-export cuts the stream).
import type { Ctx } from '../../context';
import { AppError, AUTH_MESSAGES } from '../../domain/errors';
import { formatAmount } from '../../domain/money';
import { keyStateSql, type KeyState } from '../auth/authenticate';
import { Prisma } from '../../generated/prisma/client';
import { csvChunks, csvLine, zonedTime } from '../common/csv';
import { effectiveFilter } from './effective-filter';
import { fromSql, whereSql } from './list-payments';
import type { PaymentFilterInput } from './payment-filter';

export const EXPORT_CHUNK_ROWS = 1000;

type Kind = 'text' | 'amount' | 'time' | 'bool' | 'list';

/** The export's columns, in order: a header, the SQL that reads it (over `p`, the payment), its kind. */
export const PAYMENT_COLUMNS: readonly { header: string; sql: string; kind: Kind }[] = [
  { header: 'id', sql: 'p.id', kind: 'text' },
  { header: 'createdAt', sql: 'p."createdAt"', kind: 'time' },
  { header: 'paidAt', sql: 'p."confirmedAt"', kind: 'time' },
  { header: 'status', sql: 'p.status', kind: 'text' },
  { header: 'amount', sql: 'p.amount::text', kind: 'amount' },
  { header: 'currency', sql: 'p.currency', kind: 'text' },
  { header: 'fee', sql: 'p.fee::text', kind: 'amount' },
  { header: 'net', sql: '(p.amount - p.fee)::text', kind: 'amount' },
  { header: 'clientId', sql: 'p."clientId"', kind: 'text' },
  { header: 'clubId', sql: 'p."clubId"', kind: 'text' },
  { header: 'gatewayType', sql: 'p."gatewayType"', kind: 'text' },
  { header: 'gatewayTransactionId', sql: 'p."gatewayTransactionId"', kind: 'text' },
  { header: 'description', sql: 'p.description', kind: 'text' },
  { header: 'externalNumber', sql: 'p."externalNumber"', kind: 'text' },
  { header: 'documentNumber', sql: 'p."documentNumber"', kind: 'text' },
  { header: 'documentDate', sql: 'p."documentDate"', kind: 'time' },
  { header: 'tags', sql: 'p.tags', kind: 'list' },
  { header: 'restrictRefund', sql: 'p."restrictRefund"', kind: 'bool' },
  { header: 'deleted', sql: 'p."deletedAt" IS NOT NULL', kind: 'bool' },
  { header: 'refunded', sql: 'p."refundedAmount"::text', kind: 'amount' },
];

/** Each row is read as an array: the key's state, the keyset (createdAt, id) and the currency, then the columns. */
type Row = [KeyState, Date, string, string, ...unknown[]];
const KEYS = 4;
const SELECT = Prisma.raw(['p."createdAt"', 'p.id', 'p.currency', ...PAYMENT_COLUMNS.map((c) => c.sql)].join(', '));

/** Called with each chunk after the first before it is sent (its price); a refusal cuts the stream. */
export type ChunkCharge = (rows: number) => Promise<void>;

const [KEY_STATE_BEFORE, KEY_STATE_AFTER, ...more] = keyStateSql('\u0000').split('\u0000');
if (more.length) throw new Error('keyStateSql names its key more than once');

/** A chunk's first column: the calling key's state now (a one-row InitPlan, evaluated once per chunk). */
export function keyStateColumn(ctx: Ctx): Prisma.Sql {
  const tokenId = ctx.key?.principal.tokenId;
  return tokenId ? new Prisma.Sql([KEY_STATE_BEFORE, KEY_STATE_AFTER], [tokenId]) : Prisma.sql`'live'`;
}

/** A chunk's rows once the key still stands and the chunk is paid for (the first was paid for with the request). */
export async function checkedChunk<R extends [KeyState, ...unknown[]]>(rows: R[], later: boolean, charge: ChunkCharge | undefined): Promise<R[]> {
  const state = rows[0]?.[0];
  if (state === 'expired') throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.expired);
  if (state && state !== 'live') throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
  if (later && rows.length && charge) await charge(rows.length);
  return rows;
}

export function cellOf(kind: Kind, value: unknown, currency: string, time: (at: Date) => string): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'amount': return formatAmount(value as string, currency);
    case 'time': return time(value as Date);
    case 'bool': return value ? 'true' : 'false';
    case 'list': return (value as string[]).join('; ');
    case 'text': return String(value);
  }
}

export async function organizationTimeZone(ctx: Ctx): Promise<string> {
  const { rows: [org] } = await ctx.deps.pg.query<{ timeZone: string }>({ name: 'organization-time-zone', text: 'SELECT "timeZone" FROM "Organization" WHERE id = $1', values: [ctx.orgId] });
  return org?.timeZone ?? 'UTC';
}

/** The CSV's text, a chunk at a time; bad input and the first chunk's query fail before any of it. */
export async function exportPayments(ctx: Ctx, input: PaymentFilterInput | null, { chunkRows = EXPORT_CHUNK_ROWS, charge }: { chunkRows?: number; charge?: ChunkCharge } = {}): Promise<AsyncGenerator<string>> {
  const filter = await effectiveFilter(ctx, input);
  const time = zonedTime(await organizationTimeZone(ctx));
  const where = Prisma.sql`FROM ${fromSql(filter)} WHERE ${whereSql(ctx, filter)}`;
  const read = async (after: Row | null): Promise<Row[]> => {
    const keyset = after ? Prisma.sql`AND (p."createdAt", p.id) < (${after[1]}, ${after[2]})` : Prisma.empty;
    const q = Prisma.sql`SELECT ${keyStateColumn(ctx)}, ${SELECT} ${where} ${keyset} ORDER BY p."createdAt" DESC, p.id DESC LIMIT ${chunkRows}`;
    return checkedChunk((await ctx.deps.pg.query<Row>({ text: q.text, values: q.values, rowMode: 'array' })).rows, after !== null, charge);
  };
  const line = (row: Row) => csvLine(PAYMENT_COLUMNS.map((c, i) => cellOf(c.kind, row[KEYS + i], row[3], time)));
  return csvChunks(PAYMENT_COLUMNS.map((c) => c.header), await read(null), chunkRows, read, line);
}

// GET /exports/clients/{id}/ledger.csv: a client's ledger entries of the key's environment, oldest
// first (a statement), each with the balance right after it, in keyset chunks like the payments
// export. A client the organization does not have is NOT_FOUND.
import type { Ctx } from '../../context';
import { notFound } from '../../domain/errors';
import { Prisma } from '../../generated/prisma/client';
import { csvChunks, csvLine, zonedTime } from '../common/csv';
import type { KeyState } from '../auth/authenticate';
import { cellOf, checkedChunk, EXPORT_CHUNK_ROWS, keyStateColumn, organizationTimeZone, type ChunkCharge } from '../payments/export-payments';

type Kind = Parameters<typeof cellOf>[0];

export const LEDGER_COLUMNS: readonly { header: string; sql: string; kind: Kind }[] = [
  { header: 'id', sql: 'e.id', kind: 'text' },
  { header: 'at', sql: 'e.at', kind: 'time' },
  { header: 'kind', sql: 'e.kind', kind: 'text' },
  { header: 'amount', sql: 'e.amount::text', kind: 'amount' },
  { header: 'balanceAfter', sql: 'e."balanceAfter"::text', kind: 'amount' },
  { header: 'currency', sql: 'c.currency', kind: 'text' },
  { header: 'paymentId', sql: 'e."paymentId"', kind: 'text' },
  { header: 'refundId', sql: 'e."refundId"', kind: 'text' },
  { header: 'reason', sql: 'e.reason', kind: 'text' },
  { header: 'actor', sql: 'e.actor', kind: 'text' },
];

/** The key's state, the keyset (at, id) and the client's currency, then the columns. */
type Row = [KeyState, Date, string, string, ...unknown[]];
const KEYS = 4;
const SELECT = Prisma.raw(['e.at', 'e.id', 'c.currency', ...LEDGER_COLUMNS.map((c) => c.sql)].join(', '));

export async function exportLedger(ctx: Ctx, clientId: string, { chunkRows = EXPORT_CHUNK_ROWS, charge }: { chunkRows?: number; charge?: ChunkCharge } = {}): Promise<AsyncGenerator<string>> {
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } }, select: { id: true } });
  if (!client) throw notFound('client', clientId.slice(0, 128));
  const time = zonedTime(await organizationTimeZone(ctx));
  const read = async (after: Row | null): Promise<Row[]> => {
    const keyset = after ? Prisma.sql`AND (e.at, e.id) > (${after[1]}, ${after[2]})` : Prisma.empty;
    const q = Prisma.sql`SELECT ${keyStateColumn(ctx)}, ${SELECT} FROM "LedgerEntry" e JOIN "Client" c ON c."organizationId" = e."organizationId" AND c.id = e."clientId"
      WHERE e."organizationId" = ${ctx.orgId} AND e."clientId" = ${clientId} AND e.environment = ${ctx.env}::"Environment" ${keyset}
      ORDER BY e.at, e.id LIMIT ${chunkRows}`;
    return checkedChunk((await ctx.deps.pg.query<Row>({ text: q.text, values: q.values, rowMode: 'array' })).rows, after !== null, charge);
  };
  const line = (row: Row) => csvLine(LEDGER_COLUMNS.map((c, i) => cellOf(c.kind, row[KEYS + i], row[3], time)));
  return csvChunks(LEDGER_COLUMNS.map((c) => c.header), await read(null), chunkRows, read, line);
}

// auditLog(filter, first, after): the key's organization and environment, newest first (ties by
// id), keyset pages over (at, id). A LIVE key also sees the entries of no environment (CLI
// commands about the whole organization); a TEST key only TEST's.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { Prisma } from '../../generated/prisma/client';
import type { Environment, Role } from '../../generated/prisma/enums';
import { runSql } from '../common/sql';
import { pageSize, text } from '../common/validate';

export interface AuditFilterInput {
  action?: string | null;
  actorKeyId?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AuditEntryView {
  id: string;
  at: Date;
  actorKeyId: string | null;
  actorKeyName: string | null;
  actorRole: Role | null;
  environment: Environment | null;
  action: string;
  targetIds: string[];
  outcome: string;
  input: unknown;
  remoteAddress: string | null;
}

export interface AuditPage {
  edges: { cursor: string; node: AuditEntryView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An instant as toISOString writes it: no 30 February, no hour 24 (Date rolls them over, Postgres refuses them), no year 0. */
function isInstant(at: string): boolean {
  const date = new Date(at);
  return ISO.test(at) && !Number.isNaN(date.getTime()) && date.toISOString() === at && date.getUTCFullYear() >= 1;
}

export function encodeAuditCursor(e: { at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([e.at.toISOString(), e.id]), 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string | null | undefined): { at: string; id: string } | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const refuse = () => badInput('after is not a cursor this API returned', 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refuse();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !isInstant(at) || typeof id !== 'string' || !/^aud_[0-9a-z]{20,40}$/.test(id)) throw refuse();
  return { at, id };
}

function checkFilter(f: AuditFilterInput | null | undefined) {
  const given = (v: string | null | undefined, field: string, max: number) => (v === null || v === undefined ? undefined : text(v, field, max));
  const out = {
    action: given(f?.action, 'action', 100),
    actorKeyId: given(f?.actorKeyId, 'actorKeyId', 200),
    targetId: given(f?.targetId, 'targetId', 200),
    from: f?.from ?? undefined,
    to: f?.to ?? undefined,
  };
  if (out.from && out.to && out.from > out.to) throw badInput('from must not be after to', 'from');
  return out;
}

const COLUMNS = Prisma.raw(`id, at, "actorKeyId", "actorKeyName", "actorRole", environment, action, "targetIds", outcome, input, "remoteAddress"`);
const ORDER = Prisma.raw('ORDER BY at DESC, id DESC');

export async function listAudit(ctx: Ctx, args: { filter?: AuditFilterInput | null; first?: number | null; after?: string | null }): Promise<AuditPage> {
  const f = checkFilter(args.filter);
  const take = pageSize(args.first);
  const after = decodeAuditCursor(args.after);
  const rest: Prisma.Sql[] = [];
  if (f.action) rest.push(Prisma.sql`action = ${f.action}`);
  if (f.actorKeyId) rest.push(Prisma.sql`"actorKeyId" = ${f.actorKeyId}`);
  if (f.targetId) rest.push(Prisma.sql`"targetIds" @> ARRAY[${f.targetId}]::varchar(200)[]`);
  if (f.from) rest.push(Prisma.sql`at >= ${f.from}`);
  if (f.to) rest.push(Prisma.sql`at < ${f.to}`);
  if (after) rest.push(Prisma.sql`(at, id) < (${after.at}::timestamptz, ${after.id})`);
  const and = rest.length ? Prisma.sql`AND ${Prisma.join(rest, ' AND ')}` : Prisma.empty;
  // Each environment's entries come in index order; the two parts are merged, not sorted whole.
  const part = (env: Prisma.Sql) => Prisma.sql`(SELECT ${COLUMNS} FROM "AuditEntry" WHERE "organizationId" = ${ctx.orgId} AND ${env} ${and} ${ORDER} LIMIT ${take + 1})`;
  const own = part(Prisma.sql`environment = ${ctx.env}::"Environment"`);
  const query = ctx.env === 'LIVE' ? Prisma.sql`SELECT * FROM (${own} UNION ALL ${part(Prisma.sql`environment IS NULL`)}) e ${ORDER} LIMIT ${take + 1}` : own;
  const rows = await runSql<AuditEntryView>(ctx.deps.pg, query);
  const edges = rows.slice(0, take).map((node) => ({ cursor: encodeAuditCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
}

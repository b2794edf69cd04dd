// The audit log's one writer: entries are appended, never changed (a trigger refuses UPDATE and
// DELETE). The GraphQL layer (http/graphql-audit.ts) and the CLI call it after the action.
import type { Db } from '../../db';
import { newId } from '../../domain/ids';
import { Prisma } from '../../generated/prisma/client';
import type { Environment, Role } from '../../generated/prisma/enums';

export interface AuditRecord {
  organizationId: string;
  environment: Environment | null;
  /** The acting key; null for the CLI. */
  actor: { keyId: string; name: string | null; role: Role } | null;
  action: string;
  targetIds: string[];
  outcome: string;
  /** Already without write-only fields and bounded (http/audit-input.ts). */
  input: unknown;
  remoteAddress: string | null;
}

// A NUL, or half of a surrogate pair, makes Postgres refuse the whole statement (text and jsonb alike).
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text as Postgres stores it: no NUL, no lone surrogate, at most `max` UTF-16 units, never cut inside a pair. */
export function storableText(value: string, max = Infinity): string {
  const clean = value.replace(NUL, '').replace(LONE_SURROGATE, '\ufffd');
  if (clean.length <= max) return clean;
  const end = /[\ud800-\udbff]/.test(clean[max - 1] ?? '') ? max - 1 : max;
  return clean.slice(0, end);
}

/** Every string of a JSON value, keys too, made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  return value;
}

export async function appendAudit(db: Db, records: readonly AuditRecord[]): Promise<void> {
  if (!records.length) return;
  // One statement, one `at`: the ids keep the records' order (their time part goes up by one per record).
  const now = Date.now();
  const rows = records.map((r, i) => ({
    id: newId('aud', now + i),
    organizationId: r.organizationId,
    environment: r.environment,
    actorKeyId: r.actor?.keyId ?? null,
    actorKeyName: r.actor?.name === null || r.actor?.name === undefined ? null : storableText(r.actor.name, 200),
    actorRole: r.actor?.role ?? null,
    action: storableText(r.action, 100),
    targetIds: r.targetIds.map((id) => storableText(id, 200)).filter((id) => id.length > 0),
    outcome: storableText(r.outcome, 40),
    input: r.input === null || r.input === undefined ? Prisma.DbNull : (storableJson(r.input) as Prisma.InputJsonValue),
    remoteAddress: r.remoteAddress === null ? null : storableText(r.remoteAddress, 64),
  }));
  try {
    await db.auditEntry.createMany({ data: rows });
    return;
  } catch {
    // one row the database refuses must not take the others with it: row by row, then what surely fits
  }
  let failed: unknown;
  for (const row of rows) {
    try {
      await db.auditEntry.create({ data: row, select: { id: true } });
    } catch {
      try {
        await db.auditEntry.create({ data: { ...row, actorKeyName: null, remoteAddress: null, input: { $unstorable: true } }, select: { id: true } });
      } catch (err) {
        failed ??= err;
      }
    }
  }
  if (failed) throw failed;
}

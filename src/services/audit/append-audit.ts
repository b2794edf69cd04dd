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

export async function appendAudit(db: Db, records: readonly AuditRecord[]): Promise<void> {
  if (!records.length) return;
  // One statement, one `at`: the ids keep the records' order (their time part goes up by one per record).
  const now = Date.now();
  await db.auditEntry.createMany({
    data: records.map((r, i) => ({
      id: newId('aud', now + i),
      organizationId: r.organizationId,
      environment: r.environment,
      actorKeyId: r.actor?.keyId ?? null,
      actorKeyName: r.actor?.name?.slice(0, 200) ?? null,
      actorRole: r.actor?.role ?? null,
      action: r.action.slice(0, 100),
      targetIds: r.targetIds,
      outcome: r.outcome.slice(0, 40),
      input: r.input === null || r.input === undefined ? Prisma.DbNull : (r.input as Prisma.InputJsonValue),
      remoteAddress: r.remoteAddress?.slice(0, 64) ?? null,
    })),
  });
}

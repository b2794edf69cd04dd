// Organizations and their API tokens (used by the admin CLI and the demo seed).
import type { Db, Tx } from '../../db';
import { AppError, badInput } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type { Role } from '../../generated/prisma/enums';
import { generateApiToken } from '../../security/api-token';
import { text } from '../common/validate';

export interface IssuedToken {
  id: string;
  token: string;
  role: Role;
  expiresAt: string | null;
}

export interface TokenView {
  id: string;
  prefix: string;
  role: Role;
  name: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export async function createOrganization(db: Db, name: string): Promise<{ organizationId: string; token: string }> {
  const orgName = text(name, 'name', 200);
  const organizationId = newId('org');
  const issued = await db.$transaction(async (tx) => {
    await tx.organization.create({ data: { id: organizationId, name: orgName } });
    return issueToken(tx, organizationId, 'OWNER', { name: 'initial owner token' });
  });
  return { organizationId, token: issued.token };
}

export async function issueToken(
  db: Tx,
  organizationId: string,
  role: Role,
  options: { expiresInMs?: number; name?: string } = {},
): Promise<IssuedToken> {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } });
  if (!org) throw new AppError('NOT_FOUND', `organization ${organizationId} not found`);
  if (options.expiresInMs !== undefined && options.expiresInMs <= 0) throw badInput('expiry must be in the future', 'expiresIn');
  const { token, prefix, hash } = generateApiToken();
  const expiresAt = options.expiresInMs === undefined ? null : new Date(Date.now() + options.expiresInMs);
  const row = await db.apiToken.create({
    data: { id: newId('tok'), organizationId, role, prefix, tokenHash: hash, expiresAt, name: options.name ?? null },
  });
  return { id: row.id, token, role, expiresAt: expiresAt?.toISOString() ?? null };
}

export async function listTokens(db: Db, organizationId: string): Promise<TokenView[]> {
  const rows = await db.apiToken.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
  return rows.map((t) => ({
    id: t.id,
    prefix: t.prefix,
    role: t.role,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  }));
}

/** Revoking twice is fine; the first revocation time is kept. */
export async function revokeToken(db: Db, tokenId: string): Promise<{ id: string; revokedAt: string }> {
  const token = await db.apiToken.findUnique({ where: { id: tokenId } });
  if (!token) throw new AppError('NOT_FOUND', `token ${tokenId} not found`);
  const revokedAt = token.revokedAt ?? (await db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } })).revokedAt!;
  return { id: tokenId, revokedAt: revokedAt.toISOString() };
}

// Organizations and their API keys: the admin CLI, the demo seed and the apiKeys operations.
import type { Db, Tx } from '../../db';
import { AppError, badInput } from '../../domain/errors';
import { newId, newOrgCode } from '../../domain/ids';
import type { Environment, Role } from '../../generated/prisma/enums';
import { generateApiToken } from '../../security/api-token';
import { text } from '../common/validate';

export interface IssuedToken {
  id: string;
  token: string;
  role: Role;
  environment: Environment;
  expiresAt: string | null;
}

export interface TokenView {
  id: string;
  prefix: string;
  role: Role;
  environment: Environment;
  name: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** The key's own limit, if it has one (see key-limits.ts for the one in force). */
  rateLimitPerMinute: number | null;
}

export interface IssueOptions {
  environment?: Environment;
  expiresAt?: Date | null;
  name?: string;
  rateLimitPerMinute?: number | null;
}

/** A new organization with a LIVE and a TEST OWNER key. */
export async function createOrganization(db: Db, name: string): Promise<{ organizationId: string; code: string; token: string; testToken: string }> {
  const orgName = text(name, 'name', 200);
  const organizationId = newId('org');
  const code = newOrgCode();
  const [live, test] = await db.$transaction(async (tx) => {
    await tx.organization.create({ data: { id: organizationId, name: orgName, code } });
    return [
      await issueToken(tx, organizationId, 'OWNER', { name: 'initial owner key', environment: 'LIVE' }),
      await issueToken(tx, organizationId, 'OWNER', { name: 'initial test owner key', environment: 'TEST' }),
    ];
  });
  return { organizationId, code, token: live.token, testToken: test.token };
}

export const MAX_KEY_RATE_LIMIT = 1_000_000;

export async function issueToken(db: Tx, organizationId: string, role: Role, options: IssueOptions = {}): Promise<IssuedToken> {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } });
  if (!org) throw new AppError('NOT_FOUND', `organization ${organizationId} not found`);
  const expiresAt = options.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw badInput('expiresAt must be in the future', 'expiresAt');
  const limit = options.rateLimitPerMinute ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > MAX_KEY_RATE_LIMIT)) {
    throw badInput(`rateLimitPerMinute must be a whole number from 1 to ${MAX_KEY_RATE_LIMIT}`, 'rateLimitPerMinute');
  }
  const name = options.name === undefined ? null : text(options.name, 'name', 200);
  const environment = options.environment ?? 'LIVE';
  const { token, prefix, hash } = generateApiToken(environment);
  const row = await db.apiToken.create({
    data: { id: newId('tok'), organizationId, role, environment, prefix, tokenHash: hash, expiresAt, name, rateLimitPerMinute: limit },
  });
  return { id: row.id, token, role, environment, expiresAt: expiresAt?.toISOString() ?? null };
}

const VIEW = {
  id: true, prefix: true, role: true, environment: true, name: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true, rateLimitPerMinute: true,
} as const;

export async function listTokens(db: Db, organizationId: string): Promise<TokenView[]> {
  return db.apiToken.findMany({ where: { organizationId }, select: VIEW, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export async function findTokenView(db: Db, organizationId: string, tokenId: string): Promise<TokenView | null> {
  return db.apiToken.findFirst({ where: { id: tokenId, organizationId }, select: VIEW });
}

/**
 * Revoking twice is fine; the first revocation time is kept. With `organizationId`, a key of
 * another organization is NOT_FOUND, as if it did not exist.
 */
export async function revokeToken(db: Db, tokenId: string, organizationId?: string): Promise<TokenView> {
  const where = { id: tokenId, ...(organizationId ? { organizationId } : {}) };
  await db.apiToken.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: new Date() } });
  const token = await db.apiToken.findFirst({ where, select: VIEW });
  if (!token) throw new AppError('NOT_FOUND', `token ${tokenId} not found`);
  return token;
}

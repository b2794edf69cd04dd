import type { Deps } from '../../context';
import { AppError, AUTH_MESSAGES } from '../../domain/errors';
import type { Role } from '../../generated/prisma/enums';
import { hashApiToken } from '../../security/api-token';

export interface Principal {
  readonly tokenId: string;
  readonly orgId: string;
  readonly role: Role;
}

/** lastUsedAt is written at most this often per token, so reads stay read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Checks `Authorization: Bearer <token>`; throws UNAUTHENTICATED with the messages docs/api.md fixes. */
export async function authenticate(deps: Deps, authorization: string | undefined): Promise<Principal> {
  const header = authorization?.trim();
  // "Bearer" with nothing after it carries no token: the same as no header at all.
  if (!header || /^Bearer$/i.test(header)) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.missing);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);

  const token = await deps.db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(match[1]) },
    select: { id: true, organizationId: true, role: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
  });
  if (!token || token.revokedAt) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
  const now = new Date();
  if (token.expiresAt && token.expiresAt <= now) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.expired);

  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await deps.db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: token.id, orgId: token.organizationId, role: token.role };
}

/** OWNER may do everything ADMIN may, and manage tokens and gateways. */
export function hasRole(actual: Role, required: Role): boolean {
  return required === 'ADMIN' || actual === 'OWNER';
}

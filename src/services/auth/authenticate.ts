import type { IncomingHttpHeaders } from 'node:http';
import type { Deps } from '../../context';
import { AppError, AUTH_MESSAGES } from '../../domain/errors';
import type { Environment, Role } from '../../generated/prisma/enums';
import { hashApiToken } from '../../security/api-token';
import { keyRateLimit } from './key-limits';

export interface Principal {
  readonly tokenId: string;
  readonly orgId: string;
  readonly role: Role;
  readonly environment: Environment;
  /** Cost units per minute; 0 = no limit. */
  readonly rateLimitPerMinute: number;
}

/** lastUsedAt is written at most this often per token, so reads stay read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The key from `Authorization: Bearer <key>` or, failing that, `api-key: <key>`. */
function presentedKey(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization?.trim();
  const apiKey = (Array.isArray(headers['api-key']) ? headers['api-key'][0] : headers['api-key'])?.trim();
  if (authorization) {
    // "Bearer" with nothing after it carries no key: the same as no header at all.
    if (/^Bearer$/i.test(authorization)) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.missing);
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
    return match[1];
  }
  if (apiKey) {
    if (/\s/.test(apiKey)) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
    return apiKey;
  }
  throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.missing);
}

/**
 * Checks the request's API key; throws UNAUTHENTICATED with the messages docs/api.md fixes. The
 * key is read from Postgres on every request, so a revocation or expiry holds from the next
 * request on, whichever process serves it.
 */
export async function authenticate(deps: Deps, headers: IncomingHttpHeaders): Promise<Principal> {
  const { rows: [token] } = await deps.pg.query<TokenRow>({ ...TOKEN_BY_HASH, values: [hashApiToken(presentedKey(headers))] });
  if (!token || token.revokedAt) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
  const now = new Date();
  if (token.expiresAt && token.expiresAt <= now) throw new AppError('UNAUTHENTICATED', AUTH_MESSAGES.expired);

  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await deps.pg.query({ ...TOUCH, values: [token.id, now] });
  }
  return {
    tokenId: token.id,
    orgId: token.organizationId,
    role: token.role,
    environment: token.environment,
    rateLimitPerMinute: keyRateLimit(deps.config.rateLimitPerMinute, token),
  };
}

// Every request runs these: prepared statements through the pool, outside Prisma's runtime.
interface TokenRow {
  id: string; organizationId: string; role: Role; environment: Environment; rateLimitPerMinute: number | null;
  expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null;
}
const TOKEN_BY_HASH = {
  name: 'api-token-by-hash',
  text: 'SELECT id, "organizationId", role, environment, "rateLimitPerMinute", "expiresAt", "revokedAt", "lastUsedAt" FROM "ApiToken" WHERE "tokenHash" = $1',
};
const TOUCH = { name: 'api-token-touch', text: 'UPDATE "ApiToken" SET "lastUsedAt" = $2 WHERE id = $1' };

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
  readonly expiresAt: Date | null;
  /** The key's label (for history and audit); fixed at issue, like the rest. */
  readonly name: string | null;
}

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

const invalidKey = () => new AppError('UNAUTHENTICATED', AUTH_MESSAGES.invalid);
const expiredKey = () => new AppError('UNAUTHENTICATED', AUTH_MESSAGES.expired);

/** What a key's row says now (keyStateSql): a missing row reads as revoked. */
export type KeyState = 'live' | 'revoked' | 'expired';

/**
 * One request's API key. A key this process has seen before comes from its cache, not yet known
 * to be unrevoked: `verified` is false until the request reads the key's row, either through
 * `ensure()` (one indexed read) or inside its own first statement (`settle()`, see find-payment.ts).
 * Nothing is answered before one of the two has run, so a revocation holds from the next request
 * on, in every process, whether it went through the API or the CLI, with or without Redis.
 */
export class KeyCheck {
  private state: KeyState | 'unchecked';

  constructor(private readonly deps: Deps, private readonly tokenHash: string, readonly principal: Principal, checked: boolean) {
    this.state = checked ? 'live' : 'unchecked';
  }

  get verified(): boolean {
    return this.state === 'live';
  }

  /** The refusal, once the key's row has been read and says no. */
  get refusal(): AppError | null {
    return this.state === 'revoked' ? invalidKey() : this.state === 'expired' ? expiredKey() : null;
  }

  /** Throws UNAUTHENTICATED if the key has been revoked (or deleted, or expired) since this process cached it. */
  async ensure(): Promise<void> {
    if (this.state === 'unchecked') {
      const { rows: [row] } = await this.deps.pg.query<{ state: KeyState }>({ ...KEY_STATE, values: [this.principal.tokenId] });
      this.settle(row.state);
    }
    const refusal = this.refusal;
    if (refusal) throw refusal;
  }

  /** What the request's own statement found (its `keyStateSql` column). */
  settle(state: KeyState): void {
    if (this.state !== 'unchecked') return;
    this.state = state;
    if (state !== 'live') this.deps.keys.forget(this.tokenHash);
  }
}

/** Checks the request's API key; throws UNAUTHENTICATED with the messages docs/api.md fixes. */
export async function authenticate(deps: Deps, headers: IncomingHttpHeaders): Promise<KeyCheck> {
  const tokenHash = hashApiToken(presentedKey(headers));
  const cached = deps.keys.get(tokenHash);
  const principal = cached ?? (await readKey(deps, tokenHash));
  if (principal.expiresAt && principal.expiresAt.getTime() <= Date.now()) {
    deps.keys.forget(tokenHash);
    throw expiredKey();
  }
  if (!cached) deps.keys.set(tokenHash, principal);
  return new KeyCheck(deps, tokenHash, principal, !cached);
}

/** authenticate, with the key's revocation read before it returns: for routes that do their own work. */
export async function authenticateNow(deps: Deps, headers: IncomingHttpHeaders): Promise<Principal> {
  const key = await authenticate(deps, headers);
  await key.ensure();
  return key.principal;
}

async function readKey(deps: Deps, tokenHash: string): Promise<Principal> {
  const { rows: [token] } = await deps.pg.query<TokenRow>({ ...TOKEN_BY_HASH, values: [tokenHash] });
  if (!token || token.revokedAt) throw invalidKey();
  return {
    tokenId: token.id,
    orgId: token.organizationId,
    role: token.role,
    environment: token.environment,
    rateLimitPerMinute: keyRateLimit(deps.config.rateLimitPerMinute, token),
    expiresAt: token.expiresAt,
    name: token.name,
  };
}

// Prepared statements through the pool, outside Prisma's runtime: every request runs one of them.
interface TokenRow {
  id: string; organizationId: string; role: Role; environment: Environment; rateLimitPerMinute: number | null;
  expiresAt: Date | null; revokedAt: Date | null; name: string | null;
}
const TOKEN_BY_HASH = {
  name: 'api-token-by-hash',
  text: 'SELECT id, "organizationId", role, environment, "rateLimitPerMinute", "expiresAt", "revokedAt", name FROM "ApiToken" WHERE "tokenHash" = $1',
};
/** A statement's column saying what token `param`'s row says now: a KeyState. */
export const keyStateSql = (param: string) => `coalesce((SELECT CASE WHEN "revokedAt" IS NOT NULL THEN 'revoked' WHEN "expiresAt" <= now() THEN 'expired' ELSE 'live' END
  FROM "ApiToken" WHERE id = ${param}), 'revoked')`;
const KEY_STATE = { name: 'api-token-state', text: `SELECT ${keyStateSql('$1')} AS state` };

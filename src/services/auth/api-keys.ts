// apiKeys / createApiKey / revokeApiKey: key management over GraphQL, for LIVE OWNER keys (the
// resolver checks). The token is shown once, in the answer to createApiKey.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import type { Environment, Role } from '../../generated/prisma/enums';
import { environmentLimit, keyRateLimit } from './key-limits';
import { findTokenView, issueToken, listTokens, revokeToken, type TokenView } from './tokens';

export interface ApiKeyView extends Omit<TokenView, 'rateLimitPerMinute'> {
  /** The limit in force: the key's own, or its environment's default; 0 = none. */
  rateLimitPerMinute: number;
  usage: { requestsToday: number };
}

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  environment: Environment;
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
}

const MAX_KEYS = 100;

async function orgTimeZone(ctx: Ctx): Promise<string> {
  return (await ctx.deps.db.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select: { timeZone: true } })).timeZone;
}

async function withUsage(ctx: Ctx, tokens: TokenView[]): Promise<ApiKeyView[]> {
  const usage = await ctx.deps.usage.usageOf(tokens.map((t) => t.id), await orgTimeZone(ctx));
  return tokens.map((t) => {
    const used = usage.get(t.id);
    const unrecorded = used?.unrecordedUseAt;
    return {
      ...t,
      lastUsedAt: unrecorded && (!t.lastUsedAt || unrecorded > t.lastUsedAt) ? unrecorded : t.lastUsedAt,
      rateLimitPerMinute: keyRateLimit(ctx.deps.config.rateLimitPerMinute, t),
      usage: { requestsToday: used?.requestsToday ?? 0 },
    };
  });
}

/** Every key of the organization, both environments, oldest first. */
export async function listApiKeys(ctx: Ctx): Promise<ApiKeyView[]> {
  return withUsage(ctx, await listTokens(ctx.deps.db, ctx.orgId));
}

export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<{ key: ApiKeyView; token: string }> {
  const configured = ctx.deps.config.rateLimitPerMinute;
  const ceiling = environmentLimit(configured, input.environment);
  if (configured > 0 && input.rateLimitPerMinute != null && input.rateLimitPerMinute > ceiling) {
    throw badInput(`rateLimitPerMinute may be at most ${ceiling} for a ${input.environment} key on this server`, 'rateLimitPerMinute');
  }
  const issued = await ctx.deps.db.$transaction(async (tx) => {
    // One key creation at a time per organization, so the count below cannot be raced past.
    await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${ctx.orgId} FOR UPDATE`;
    if ((await tx.apiToken.count({ where: { organizationId: ctx.orgId, revokedAt: null } })) >= MAX_KEYS) {
      throw badInput(`an organization may have at most ${MAX_KEYS} unrevoked API keys; revoke one first`, 'name');
    }
    return issueToken(tx, ctx.orgId, input.role, {
      name: input.name, environment: input.environment, expiresAt: input.expiresAt ?? null, rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    });
  });
  ctx.log.info({ tokenId: issued.id, role: issued.role, environment: issued.environment }, 'API key created');
  const [key] = await withUsage(ctx, [(await findTokenView(ctx.deps.db, ctx.orgId, issued.id))!]);
  return { key, token: issued.token };
}

/** From the next request on, whichever process serves it, the key is refused (authenticate reads Postgres). */
export async function revokeApiKey(ctx: Ctx, id: string): Promise<ApiKeyView> {
  const revoked = await revokeToken(ctx.deps.db, id, ctx.orgId);
  ctx.log.info({ tokenId: id }, 'API key revoked');
  const [key] = await withUsage(ctx, [revoked]);
  return key;
}

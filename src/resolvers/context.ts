import type { Ctx, Deps } from '../context';
import type { Logger } from '../log';
import type { KeyCheck } from '../services/auth/authenticate';

/** The GraphQL context: built per request after the API key is checked. */
export interface GqlContext {
  readonly deps: Deps;
  /** The request's key (`key.principal`), and whether it is known to be unrevoked yet (graphql-key-check.ts makes sure before anything is answered). */
  readonly key: KeyCheck;
  readonly log: Logger;
  /** The caller's address (Fastify's request.ip, which honours TRUST_PROXY), for the audit log. */
  readonly remoteAddress?: string;
}

export function serviceCtx(context: GqlContext): Ctx {
  const { principal } = context.key;
  return { deps: context.deps, orgId: principal.orgId, env: principal.environment, role: principal.role, actor: `token:${principal.tokenId}`, actorName: principal.name, log: context.log, key: context.key };
}

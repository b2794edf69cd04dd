import type { Ctx, Deps } from '../context';
import type { Logger } from '../log';
import type { KeyCheck, Principal } from '../services/auth/authenticate';

/** The GraphQL context: built per request after the API key is checked. */
export interface GqlContext {
  readonly deps: Deps;
  readonly principal: Principal;
  /** Whether the key is known to be unrevoked yet (graphql.ts makes sure before anything is answered). */
  readonly key: KeyCheck;
  readonly log: Logger;
}

export function serviceCtx(context: GqlContext): Ctx {
  const { principal } = context;
  return { deps: context.deps, orgId: principal.orgId, env: principal.environment, role: principal.role, actor: `token:${principal.tokenId}`, actorName: principal.name, log: context.log, key: context.key };
}

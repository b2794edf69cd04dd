import type { Ctx } from '../../context';

/**
 * The where clause of everything a key owns: its organization's rows of its environment
 * (payments, refunds, ledger entries, webhook endpoints and deliveries). Clients and clubs are
 * shared by the environments and scoped by organization alone.
 */
export function owned(ctx: Ctx): { organizationId: string; environment: Ctx['env'] } {
  return { organizationId: ctx.orgId, environment: ctx.env };
}

import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { listAudit } from '../services/audit/list-audit';
import { DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE } from '../services/common/validate';
import { serviceCtx, type GqlContext } from './context';
import { SCAN_COST } from './field-extensions';
import { AuditConnection, AuditFilter } from './audit.types';

/** A page: its size times what each entry asks for, and a scan's price for a filter no index serves (action, actor). */
function pageCost({ args, childComplexity }: ComplexityEstimatorArgs): number {
  const first = typeof args.first === 'number' ? Math.min(args.first, LARGEST_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const filter = (args.filter ?? {}) as { action?: unknown; actorKeyId?: unknown };
  const scans = filter.action != null || filter.actorKeyId != null;
  return Math.max(1, first) * Math.max(1, childComplexity) + (scans ? SCAN_COST : 0);
}

@Resolver(() => AuditConnection)
export class AuditResolver {
  @Authorized('ADMIN')
  @Query(() => AuditConnection, { description: 'Every mutation and CLI command of this organization and environment, newest first', complexity: pageCost })
  auditLog(
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<AuditConnection> {
    return listAudit(serviceCtx(ctx), { filter, first, after }) as Promise<AuditConnection>;
  }
}

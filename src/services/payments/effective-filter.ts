// The filter a payments list or export actually runs: the request's, ANDed with the saved filter it
// names (savedFilterId) and with the calling key's default filter (and the saved filter that one
// names). The default is mutable, so it is read from the key's row on every list and export (never
// from the key cache, which holds only what never changes), together with the saved filters and,
// for a key this process had cached, whether it is still live (KeyCheck.settle): one statement.
import type { Ctx } from '../../context';
import { AppError } from '../../domain/errors';
import { keyStateSql, type KeyState } from '../auth/authenticate';
import type { Environment } from '../../generated/prisma/enums';
import { andFilters, queryOf, type PaymentQuery } from './filter-and';
import { checkPaymentFilter, type PaymentFilterInput } from './payment-filter';
import { filterFromStored } from './stored-filter';

export const unknownSavedFilter = () =>
  new AppError('NOT_FOUND', 'savedFilterId names no saved filter of this organization and environment', { details: { field: 'savedFilterId' } });

const FILTERS_IN_FORCE = {
  name: 'payment-filters-in-force',
  text: `SELECT ${keyStateSql('$1')} AS "keyState", d.f AS "default",
      (SELECT s.filter FROM "SavedPaymentFilter" s WHERE s.id = $2 AND s."organizationId" = $3 AND s.environment = $4::"Environment") AS saved,
      (SELECT s.filter FROM "SavedPaymentFilter" s WHERE s.id = d.f->>'savedFilterId' AND s."organizationId" = $3 AND s.environment = $4::"Environment") AS "defaultSaved"
    FROM (SELECT (SELECT t."defaultPaymentFilter" FROM "ApiToken" t WHERE t.id = $1 AND t."organizationId" = $3) AS f) d`,
};

interface InForce { keyState: KeyState; default: unknown; saved: unknown; defaultSaved: unknown }

/** A stored filter that today's checks refuse (they may have tightened since it was stored) says whose it is. */
function stored(json: unknown, whose: string, fix: string): PaymentQuery {
  try {
    return queryOf(filterFromStored(json));
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `${whose} no longer passes the filter checks (${err.message}): ${fix}`, { details: err.details });
    throw err;
  }
}

export async function effectiveFilter(ctx: Ctx, input: PaymentFilterInput | null | undefined): Promise<PaymentQuery> {
  const checked = checkPaymentFilter(input);
  const tokenId = ctx.key?.principal.tokenId ?? null;
  const request = queryOf(checked);
  if (!tokenId && !checked.savedFilterId) return request;
  const { rows: [row] } = await ctx.deps.pg.query<InForce>({ ...FILTERS_IN_FORCE, values: [tokenId, checked.savedFilterId ?? null, ctx.orgId, ctx.env satisfies Environment] });
  if (ctx.key) {
    ctx.key.settle(row.keyState);
    const refusal = ctx.key.refusal;
    if (refusal) throw refusal;
  }
  if (checked.savedFilterId && !row.saved) throw unknownSavedFilter();
  const queries = [request];
  if (row.saved) queries.push(stored(row.saved, 'the saved filter', 'save it again'));
  if (row.default) {
    queries.push(stored(row.default, 'this key\'s default filter', 'set it again or reset it'));
    if ((row.default as { savedFilterId?: unknown }).savedFilterId) {
      // setDefaultPaymentFilter checked it; saved filters are replaced in place, never removed
      if (!row.defaultSaved) throw new AppError('NOT_FOUND', 'this key\'s default filter names a saved filter that no longer exists: set it again or reset it');
      queries.push(stored(row.defaultSaved, 'the saved filter of this key\'s default', 'save it again'));
    }
  }
  return andFilters(request, ...queries.slice(1));
}

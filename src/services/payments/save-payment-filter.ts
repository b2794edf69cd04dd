// savePaymentFilter: a named filter of the key's organization and environment. The same name again
// replaces its filter (the id stays, so a key's default that names it follows). At most
// MAX_SAVED_FILTERS per organization and environment, counted under a lock so that concurrent
// saves cannot pass it.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { owned } from '../common/scope';
import { text } from '../common/validate';
import type { PaymentFilterInput } from './payment-filter';
import { storedFilterOf, type StoredFilter } from './stored-filter';

export const MAX_SAVED_FILTERS = 100;
export const MAX_FILTER_NAME = 100;

export interface SavedFilterView {
  id: string;
  name: string;
  filter: StoredFilter;
  createdAt: Date;
  updatedAt: Date;
}

export const toSavedFilterView = (row: { id: string; name: string; filter: unknown; createdAt: Date; updatedAt: Date }): SavedFilterView => ({
  id: row.id, name: row.name, filter: row.filter as StoredFilter, createdAt: row.createdAt, updatedAt: row.updatedAt,
});

export async function savePaymentFilter(ctx: Ctx, name: string, filter: PaymentFilterInput): Promise<SavedFilterView> {
  const trimmed = text(name, 'name', MAX_FILTER_NAME);
  const { checked, stored } = storedFilterOf(filter);
  if (checked.savedFilterId) throw badInput('a saved filter cannot name another saved filter (savedFilterId)', 'savedFilterId');
  const row = await ctx.deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`saved-payment-filters:${ctx.orgId}:${ctx.env}`}, 0))`;
    const existing = await tx.savedPaymentFilter.findUnique({ where: { organizationId_environment_name: { ...owned(ctx), name: trimmed } }, select: { id: true } });
    if (existing) return tx.savedPaymentFilter.update({ where: { id: existing.id }, data: { filter: stored } });
    if ((await tx.savedPaymentFilter.count({ where: owned(ctx) })) >= MAX_SAVED_FILTERS) {
      throw badInput(`at most ${MAX_SAVED_FILTERS} saved filters per organization and environment: save under an existing name to replace one`, 'name');
    }
    return tx.savedPaymentFilter.create({ data: { id: newId('flt'), ...owned(ctx), name: trimmed, filter: stored } });
  });
  ctx.log.info({ savedFilterId: row.id }, 'payment filter saved');
  return toSavedFilterView(row);
}

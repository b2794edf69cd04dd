// paymentFilters: the saved filters of the key's organization and environment, by name.
import type { Ctx } from '../../context';
import { owned } from '../common/scope';
import { MAX_SAVED_FILTERS, toSavedFilterView, type SavedFilterView } from './save-payment-filter';

export async function listPaymentFilters(ctx: Ctx): Promise<SavedFilterView[]> {
  const rows = await ctx.deps.db.savedPaymentFilter.findMany({ where: owned(ctx), orderBy: [{ name: 'asc' }, { id: 'asc' }], take: MAX_SAVED_FILTERS });
  return rows.map(toSavedFilterView);
}

// setDefaultPaymentFilter: the calling key's own default filter, ANDed with every later payments
// list, its totals and the CSV export made with that key, until reset. It changes only what this
// key is shown (never what another key sees, never a payment), so every role may set its own.
import type { Ctx } from '../../context';
import { AppError, badInput } from '../../domain/errors';
import { Prisma } from '../../generated/prisma/client';
import { owned } from '../common/scope';
import { unknownSavedFilter } from './effective-filter';
import type { PaymentFilterInput } from './payment-filter';
import { storedFilterOf } from './stored-filter';

export async function setDefaultPaymentFilter(ctx: Ctx, filter: PaymentFilterInput | null | undefined, reset: boolean | null | undefined): Promise<boolean> {
  const tokenId = ctx.key?.principal.tokenId;
  if (!tokenId) throw new AppError('FORBIDDEN', 'only an API key has a default payment filter');
  if (filter && reset === true) throw badInput('give a filter or reset: true, not both', 'reset');
  if (!filter && reset !== true) throw badInput('give a filter, or reset: true to remove the default', 'filter');
  let stored: Prisma.InputJsonValue | typeof Prisma.DbNull = Prisma.DbNull;
  if (filter) {
    const { checked, stored: form } = storedFilterOf(filter);
    if (checked.savedFilterId && !(await ctx.deps.db.savedPaymentFilter.findFirst({ where: { id: checked.savedFilterId, ...owned(ctx) }, select: { id: true } }))) {
      throw unknownSavedFilter();
    }
    stored = form;
  }
  await ctx.deps.db.apiToken.updateMany({ where: { id: tokenId, organizationId: ctx.orgId }, data: { defaultPaymentFilter: stored } });
  ctx.log.info({ reset: !filter }, 'default payment filter set');
  return true;
}

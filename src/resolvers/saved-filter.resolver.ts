import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { listPaymentFilters } from '../services/payments/list-payment-filters';
import { savePaymentFilter } from '../services/payments/save-payment-filter';
import { setDefaultPaymentFilter } from '../services/payments/set-default-payment-filter';
import { serviceCtx, type GqlContext } from './context';
import { PaymentFilter } from './payment-list.types';
import { SavedPaymentFilter } from './saved-filter.types';

/** Saved payment filters and a key's own default filter (docs/api.md "Back office"). */
@Resolver(() => SavedPaymentFilter)
export class SavedFilterResolver {
  @Authorized('VIEWER')
  @Query(() => [SavedPaymentFilter], { description: 'The saved filters of this organization and environment, by name' })
  paymentFilters(@Ctx() ctx: GqlContext): Promise<SavedPaymentFilter[]> {
    return listPaymentFilters(serviceCtx(ctx));
  }

  @Authorized('ADMIN')
  @Mutation(() => SavedPaymentFilter, { description: 'Save a filter under a name (1-100 characters, trimmed); the same name again replaces its filter, keeping the id. At most 100 per organization and environment.' })
  savePaymentFilter(@Arg('name', () => String) name: string, @Arg('filter', () => PaymentFilter) filter: PaymentFilter, @Ctx() ctx: GqlContext): Promise<SavedPaymentFilter> {
    return savePaymentFilter(serviceCtx(ctx), name, filter);
  }

  @Authorized('VIEWER')
  @Mutation(() => Boolean, { description: 'This key\'s own default filter, ANDed with its every payments list, totals and CSV export until reset: true. Give filter or reset, not both. Any role: it changes only what this key is shown.' })
  setDefaultPaymentFilter(
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter: PaymentFilter | null,
    @Arg('reset', () => Boolean, { nullable: true }) reset: boolean | null,
    @Ctx() ctx: GqlContext,
  ): Promise<boolean> {
    return setDefaultPaymentFilter(serviceCtx(ctx), filter, reset);
  }
}

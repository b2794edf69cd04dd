import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { feeAndNet, listPayments, loadBackOffice, type BackOfficeFields } from '../services/payments/list-payments';
import type { PaymentView } from '../services/payments/view';
import { serviceCtx, type GqlContext } from './context';
import { AGGREGATE_COST, ALLOCATIONS_COST, MUTATION_COST, SCAN_COST } from './field-extensions';
import { DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE } from '../services/common/validate';
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { Kind, type SelectionSetNode } from 'graphql';
import { Allocation, Payment, PaymentItem } from './payment.types';
import { DecimalScalar } from './scalars';
import { storedItems } from '../domain/payment-items';
import { MAX_ALLOCATION_SCAN, paymentAllocations } from '../services/payments/allocations';
import { BulkResult, EditPaymentInput, PaymentConnection, PaymentFilter, PaymentOrder, PaymentTotal } from './payment-list.types';
import { editPayment } from '../services/payments/edit-payment';
import { scans, type PaymentQuery } from '../services/payments/filter-and';
import { AppError } from '../domain/errors';
import { toGraphQLError } from '../http/errors';
import { chargeRateLimit } from '../http/rate-limit';
import { deletePayments } from '../services/payments/delete-payments';

/**
 * A page: its size times what each payment asks for; the totals (a scan of the filtered set) once;
 * and a scan's price for what no index serves. A named fragment might ask for the totals: priced so.
 */
function pageCost({ args, node, childComplexity }: ComplexityEstimatorArgs): number {
  const first = typeof args.first === 'number' ? Math.min(args.first, LARGEST_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return Math.max(1, first) * Math.max(1, childComplexity) + (asksForTotals(node.selectionSet) ? AGGREGATE_COST : 0) + (pricedAsScan(args) ? SCAN_COST : 0);
}

/** Whether the request's own arguments already paid SCAN_COST (a saved filter may search text: priced as if it did). */
function pricedAsScan(args: { filter?: unknown; orderBy?: unknown }): boolean {
  const filter = (args.filter ?? {}) as { text?: unknown; number?: unknown; savedFilterId?: unknown };
  const order = args.orderBy as { field?: string } | null | undefined;
  return filter.text != null || filter.savedFilterId != null || (typeof filter.number === 'string' && filter.number.includes('*'))
    || (order?.field != null && order.field !== 'CREATED_AT');
}

/**
 * The key's default filter (or the saved filter it names) is not in the document, so the document's
 * price cannot see it: a scan it makes the list run is charged here, before anything is read.
 */
const chargeUnpricedScan = (ctx: GqlContext, args: { filter?: unknown; orderBy?: unknown }) => async (filter: PaymentQuery) => {
  if (!scans(filter) || pricedAsScan(args)) return;
  await chargeRateLimit(ctx.deps, ctx.key.principal, SCAN_COST).catch((err) => {
    throw err instanceof AppError ? toGraphQLError(err) : err;
  });
};

function asksForTotals(set: SelectionSetNode | undefined): boolean {
  return !!set?.selections.some((s) => (s.kind === Kind.FIELD ? s.name.value === 'totalCount' || s.name.value === 'totals'
    : s.kind === Kind.INLINE_FRAGMENT ? asksForTotals(s.selectionSet) : true));
}

/** The back office's list of payments (docs/api.md "Back office"). */
@Resolver(() => PaymentConnection)
export class PaymentListResolver {
  @Authorized('VIEWER')
  @Query(() => PaymentConnection, { description: 'Newest first unless orderBy says otherwise (ties by id); deleted payments only with filter.deleted', complexity: pageCost })
  payments(
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter: PaymentFilter | null,
    @Arg('orderBy', () => PaymentOrder, { nullable: true }) orderBy: PaymentOrder | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<PaymentConnection> {
    return listPayments(serviceCtx(ctx), { filter, orderBy, first, after }, { price: chargeUnpricedScan(ctx, { filter, orderBy }) }) as unknown as Promise<PaymentConnection>;
  }

  @FieldResolver(() => Int, { description: 'Payments in the whole filtered set' })
  async totalCount(@Root() page: PaymentConnection): Promise<number> {
    return (await page.summary()).totalCount;
  }

  @FieldResolver(() => [PaymentTotal], { description: 'Count and sum per status and currency of the whole filtered set' })
  async totals(@Root() page: PaymentConnection): Promise<PaymentTotal[]> {
    return (await page.summary()).totals;
  }
}

type Held = PaymentView & { backOffice?: BackOfficeFields };

/** What staff keep on a payment: read with the list's rows, or once when payment(id) asks for them. */
@Resolver(() => Payment)
export class PaymentBackOfficeResolver {
  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Correct a payment\'s descriptive fields; each edit is an EDIT entry of its history' })
  editPayment(@Arg('id', () => ID) id: string, @Arg('input', () => EditPaymentInput) input: EditPaymentInput, @Ctx() ctx: GqlContext): Promise<Payment> {
    return editPayment(serviceCtx(ctx), id, input) as unknown as Promise<Payment>;
  }

  @Authorized('ADMIN')
  @Mutation(() => [BulkResult], { complexity: ({ args, childComplexity }) => MUTATION_COST + (Array.isArray(args.ids) ? args.ids.length : 0) + childComplexity, description: 'Hide payments that never moved money (PENDING ones are cancelled first; FAILED, CANCELLED); at most 500 ids, a result per id. Nothing is destroyed: filter deleted: true lists them.' })
  deletePayments(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: GqlContext): Promise<BulkResult[]> {
    return deletePayments(serviceCtx(ctx), ids);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Staff note' })
  async note(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string | null> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).note;
  }

  @FieldResolver(() => Boolean, { description: 'refundPayment is refused while set (a gateway\'s own refund is still booked)' })
  async restrictRefund(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<boolean> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).restrictRefund;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The club\'s own invoice number' })
  async externalNumber(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string | null> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).externalNumber;
  }

  @FieldResolver(() => String, { nullable: true, description: 'A payment document\'s number (e.g. a bank transfer reference)' })
  async documentNumber(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string | null> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).documentNumber;
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true })
  async documentDate(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<Date | null> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).documentDate;
  }

  @FieldResolver(() => [String])
  async tags(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string[]> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).tags;
  }

  @FieldResolver(() => [PaymentItem], { description: 'What the payment is for (a payment from before items existed: one "Balance top-up" line)' })
  async items(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<PaymentItem[]> {
    return storedItems((await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).items, p.amount, p.currency);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'The gateway\'s fee (CloudPayments TotalFee), once the payment is paid; null: the gateway did not say' })
  async fee(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string | null> {
    return feeAndNet(await loadBackOffice(serviceCtx(ctx), p as unknown as Held), p).fee;
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'amount − fee; null while the fee is unknown' })
  async net(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<string | null> {
    return feeAndNet(await loadBackOffice(serviceCtx(ctx), p as unknown as Held), p).net;
  }

  @FieldResolver(() => [Allocation], {
    complexity: ALLOCATIONS_COST,
    description: `The debits this top-up paid for, first in first out (a refund of it takes from it first); read from the top-up on, for at most ${MAX_ALLOCATION_SCAN} ledger entries`,
  })
  allocations(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<Allocation[]> {
    return paymentAllocations(serviceCtx(ctx), p);
  }

  @FieldResolver(() => Boolean, { description: 'Hidden by staff; kept, with its history, for audit' })
  async deleted(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<boolean> {
    return (await loadBackOffice(serviceCtx(ctx), p as unknown as Held)).deleted;
  }
}

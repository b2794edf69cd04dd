import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ITEM_LIST } from '../services/common/validate';
import { cancelPayment } from '../services/payments/cancel-payment';
import { getPayment, paymentHistory, paymentRefunds } from '../services/payments/get-payment';
import { initiateTopUp } from '../services/payments/initiate-top-up';
import { capturePayment, voidPayment } from '../services/payments/two-stage';
import { reconcilePayment } from '../services/payments/reconcile-payment';
import { DecimalScalar } from './scalars';
import { serviceCtx, type GqlContext } from './context';
import { InitiatePaymentInput, InitiatePaymentResult, Payment, PaymentEvent, Refund } from './payment.types';
import { GATEWAY_CALL_COST } from './field-extensions';

@Resolver(() => Payment)
export class PaymentResolver {
  @Authorized('VIEWER')
  @Query(() => Payment, { nullable: true, description: 'By Paygate\'s id (pay_…) or the gateway\'s transaction id; null when not found in this organization and environment' })
  payment(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Payment | null> {
    return getPayment(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => InitiatePaymentResult, { complexity: GATEWAY_CALL_COST })
  initiateTopUpPayment(@Arg('input', () => InitiatePaymentInput) input: InitiatePaymentInput, @Ctx() ctx: GqlContext): Promise<InitiatePaymentResult> {
    return initiateTopUp(serviceCtx(ctx), input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Cancels a PENDING payment (and its payment page at the gateway); voids an AUTHORIZED one', complexity: GATEWAY_CALL_COST })
  cancelPayment(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Payment> {
    return cancelPayment(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Two-stage: capture an AUTHORIZED payment, all of it or less', complexity: GATEWAY_CALL_COST })
  capturePayment(
    @Arg('id', () => ID) id: string,
    @Arg('amount', () => DecimalScalar, { nullable: true }) amount: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<Payment> {
    return capturePayment(serviceCtx(ctx), id, amount);
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Two-stage: release an AUTHORIZED payment', complexity: GATEWAY_CALL_COST })
  voidPayment(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Payment> {
    return voidPayment(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Ask the gateway now and apply what it says (a client says "I paid")', complexity: GATEWAY_CALL_COST })
  reconcilePayment(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Payment> {
    return reconcilePayment(serviceCtx(ctx), id);
  }

  @FieldResolver(() => [PaymentEvent], { description: `Every status change, oldest first (the first ${ITEM_LIST.def} unless \`first\` says more, at most ${ITEM_LIST.max})` })
  history(
    @Root() payment: Payment,
    @Arg('first', () => Int, { nullable: true, defaultValue: ITEM_LIST.def }) first: number,
    @Ctx() ctx: GqlContext,
  ): Promise<PaymentEvent[]> {
    return paymentHistory(serviceCtx(ctx), payment.id, first);
  }

  @FieldResolver(() => [Refund], { description: `Oldest first (the first ${ITEM_LIST.def} unless \`first\` says more, at most ${ITEM_LIST.max})` })
  refunds(
    @Root() payment: Payment,
    @Arg('first', () => Int, { nullable: true, defaultValue: ITEM_LIST.def }) first: number,
    @Ctx() ctx: GqlContext,
  ): Promise<Refund[]> {
    return paymentRefunds(serviceCtx(ctx), payment.id, payment.currency, first);
  }
}

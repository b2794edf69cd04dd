import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { createSubscription } from '../services/subscriptions/create-subscription';
import { cancelSubscription, updateSubscription } from '../services/subscriptions/change-subscription';
import { getSubscription, listSubscriptions, subscriptionPayments } from '../services/subscriptions/list-subscriptions';
import { SubscriptionStatus } from '../generated/prisma/enums';
import { serviceCtx, type GqlContext } from './context';
import { GATEWAY_CALL_COST } from './field-extensions';
import { PaymentConnection } from './payment-list.types';
import { CreateSubscriptionInput, Subscription, SubscriptionConnection, UpdateSubscriptionInput } from './subscription.types';

@Resolver(() => Subscription)
export class SubscriptionResolver {
  @Authorized('VIEWER')
  @Query(() => Subscription, { nullable: true, description: 'One subscription of this environment; null when there is none by that id' })
  subscription(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Subscription | null> {
    return getSubscription(serviceCtx(ctx), id);
  }

  @Authorized('VIEWER')
  @Query(() => SubscriptionConnection, { description: 'Newest first', complexity: ({ args, childComplexity }) => Math.max(1, Math.min(Number(args.first ?? 20), 100)) * Math.max(1, childComplexity) })
  subscriptions(
    @Arg('clientId', () => ID, { nullable: true }) clientId: string | null,
    @Arg('status', () => SubscriptionStatus, { nullable: true }) status: SubscriptionStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<SubscriptionConnection> {
    return listSubscriptions(serviceCtx(ctx), { clientId, status, first, after });
  }

  @Authorized('ADMIN')
  @Mutation(() => Subscription, { description: 'Bills a saved card on a schedule at its gateway; each charge credits the balance', complexity: GATEWAY_CALL_COST })
  createSubscription(@Arg('input', () => CreateSubscriptionInput) input: CreateSubscriptionInput, @Ctx() ctx: GqlContext): Promise<Subscription> {
    return createSubscription(serviceCtx(ctx), input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Subscription, { description: 'Changes the terms at the gateway; an ended subscription is refused (CONFLICT)', complexity: GATEWAY_CALL_COST })
  updateSubscription(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateSubscriptionInput) input: UpdateSubscriptionInput, @Ctx() ctx: GqlContext): Promise<Subscription> {
    return updateSubscription(serviceCtx(ctx), id, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Subscription, { description: 'Stops the charges; an ended subscription is answered as it is', complexity: GATEWAY_CALL_COST })
  cancelSubscription(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Subscription> {
    return cancelSubscription(serviceCtx(ctx), id);
  }

  @FieldResolver(() => PaymentConnection, { description: 'The payments its charges made, newest first', complexity: ({ args, childComplexity }) => Math.max(1, Math.min(Number(args.first ?? 20), 100)) * Math.max(1, childComplexity) })
  payments(
    @Root() s: Subscription,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<PaymentConnection> {
    return subscriptionPayments(serviceCtx(ctx), s.id, { first, after }) as unknown as Promise<PaymentConnection>;
  }
}

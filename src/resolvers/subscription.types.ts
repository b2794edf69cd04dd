import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { SubscriptionInterval, SubscriptionStatus } from '../generated/prisma/enums';
import { DecimalScalar } from './scalars';
import { PageInfo } from './shared.types';

registerEnumType(SubscriptionInterval, { name: 'SubscriptionInterval' });
registerEnumType(SubscriptionStatus, {
  name: 'SubscriptionStatus',
  description: 'ACTIVE (charged on schedule), PAST_DUE (the last one or two charges failed), CANCELLED (on request), REJECTED (three charges in a row failed), EXPIRED (maxPeriods charged)',
});

@ObjectType({ description: 'Recurring billing of a saved card at its gateway; each charge is a Payment credited to the balance' })
export class Subscription {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => ID)
  paymentMethodId!: string;

  @Field(() => String, { nullable: true, description: 'The gateway\'s id (CloudPayments sc_…); null until the gateway confirmed the create' })
  gatewaySubscriptionId!: string | null;

  @Field(() => SubscriptionStatus)
  status!: SubscriptionStatus;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String)
  currency!: string;

  @Field(() => SubscriptionInterval)
  interval!: SubscriptionInterval;

  @Field(() => Int, { description: 'Charged every `period` intervals' })
  period!: number;

  @Field(() => Int, { nullable: true, description: 'Charges after which it EXPIRES; null: until cancelled' })
  maxPeriods!: number | null;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean, { description: 'Two-stage charges (a hold each time)' })
  requireConfirmation!: boolean;

  @Field(() => DateTimeResolver, { description: 'The first charge' })
  startDate!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'The next charge as the gateway last said; null once ended' })
  nextChargeAt!: Date | null;

  @Field(() => Int)
  successfulCharges!: number;

  @Field(() => Int, { description: 'Failed charges since the last successful one' })
  failedCharges!: number;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  cancelledAt!: Date | null;
}

@ObjectType()
export class SubscriptionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Subscription)
  node!: Subscription;
}

@ObjectType()
export class SubscriptionConnection {
  @Field(() => [SubscriptionEdge])
  edges!: SubscriptionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class CreateSubscriptionInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ID, { description: 'A saved card of the client (savedPaymentMethods)' })
  paymentMethodId!: string;

  @Field(() => DecimalScalar, { description: 'Each charge, in the client\'s currency' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'If given, must be the client\'s currency' })
  currency?: string | null;

  @Field(() => SubscriptionInterval)
  interval!: SubscriptionInterval;

  @Field(() => Int, { description: '1–365 intervals between charges' })
  period!: number;

  @Field(() => DateTimeResolver, { nullable: true, description: 'The first charge, in the future; default: one period from now' })
  startDate?: Date | null;

  @Field(() => Int, { nullable: true })
  maxPeriods?: number | null;

  @Field(() => String, { description: 'Shown to the payer by the gateway; up to 500 characters' })
  description!: string;

  @Field(() => Boolean, { nullable: true })
  requireConfirmation?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first create\'s subscription; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Only what is given changes. An ended (CANCELLED, REJECTED, EXPIRED) subscription is never changed.' })
export class UpdateSubscriptionInput {
  @Field(() => DecimalScalar, { nullable: true })
  amount?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => SubscriptionInterval, { nullable: true })
  interval?: SubscriptionInterval | null;

  @Field(() => Int, { nullable: true })
  period?: number | null;

  @Field(() => Int, { nullable: true })
  maxPeriods?: number | null;
}

import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { Environment, PageInfo } from './shared.types';

registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

@InputType()
export class CreateWebhookInput {
  @Field(() => String)
  url!: string;

  @Field(() => [String], { description: 'PAYMENT_RECEIVED, PAYMENT_FAILED, PAYMENT_CANCELLED, PAYMENT_REFUNDED, BALANCE_ADJUSTED, ATTENTION_NEEDED' })
  events!: string[];

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  events?: string[] | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint' })
  isActive?: boolean | null;
}

@ObjectType({ description: 'The secret is shown once, in Standard Webhooks format (whsec_…)' })
export class CreateWebhookResult {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  secret!: string;
}

@ObjectType()
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field(() => Environment, { description: 'It receives only this environment\'s events' })
  environment!: Environment;

  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String])
  events!: string[];

  @Field(() => Boolean)
  isActive!: boolean;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType()
export class WebhookAttempt {
  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => Int, { nullable: true })
  statusCode!: number | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => String, { nullable: true, description: 'The first 1 KB of the answer' })
  response!: string | null;
}

@ObjectType()
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, { description: 'The webhook-id header: the same on every attempt and replay' })
  messageId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => String, { description: 'The JSON body sent' })
  payload!: string;

  @Field(() => [WebhookAttempt])
  attemptLog!: WebhookAttempt[];
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WebhookDelivery)
  node!: WebhookDelivery;
}

@ObjectType()
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

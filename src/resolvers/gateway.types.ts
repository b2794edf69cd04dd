import { Extensions, Field, ID, InputType, ObjectType } from 'type-graphql';
import { WRITE_ONLY } from './field-extensions';
import { DateTimeResolver } from 'graphql-scalars';
import { Environment, GatewayType } from './shared.types';

@InputType()
export class PaymentGatewayInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => GatewayType, { description: 'Which gateway; docs/gateways.md describes each' })
  type!: GatewayType;

  @Field(() => Environment, { nullable: true, description: 'Default: the key\'s environment. SANDBOX is always TEST; a key configures only its own environment\'s gateways' })
  environment?: Environment | null;

  @Field(() => String, { description: 'The merchant account\'s public id at the gateway' })
  publicId!: string;

  @Field(() => String, { description: 'The API secret or key the gateway issued. Write-only: never returned.' })
  @Extensions(WRITE_ONLY)
  apiSecret!: string;

  @Field(() => String, { nullable: true, description: 'Where the gateway signs its callbacks with a secret of their own: that secret. Write-only.' })
  @Extensions(WRITE_ONLY)
  webhookSecret?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Clubs this gateway serves; empty = organization default' })
  clubIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Authorize first, capture later, where the gateway offers it (default false)' })
  twoStage?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Where the gateway takes crypto: the cryptocurrencies offered, e.g. ["USDT_TRC20", "BTC"]' })
  availableCurrencies?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Where the gateway takes crypto: one cryptocurrency chosen for the payer' })
  cryptocurrency?: string | null;
}

@ObjectType()
export class PaymentGateway {
  @Field(() => ID)
  id!: string;

  @Field(() => GatewayType)
  type!: GatewayType;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => Boolean)
  isActive!: boolean;

  @Field(() => String)
  publicId!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean)
  twoStage!: boolean;

  @Field(() => [ID])
  clubIds!: string[];

  @Field(() => [String], { description: 'Where to point the gateway\'s notifications' })
  callbackUrls!: string[];

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

import { Extensions, Field, ID, InputType, ObjectType } from 'type-graphql';
import { WRITE_ONLY } from './field-extensions';
import { DateTimeResolver } from 'graphql-scalars';
import { GatewayType } from './shared.types';

@InputType()
export class PaymentGatewayInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => GatewayType, { description: 'CLOUDPAYMENTS | CRYPTOCLOUD | SANDBOX' })
  type!: GatewayType;

  @Field(() => String, { description: 'CloudPayments Public ID; CryptoCloud shop_id' })
  publicId!: string;

  @Field(() => String, { description: 'CloudPayments API Secret; CryptoCloud API key. Write-only: never returned.' })
  @Extensions(WRITE_ONLY)
  apiSecret!: string;

  @Field(() => String, { nullable: true, description: 'CryptoCloud postback secret key. Write-only.' })
  @Extensions(WRITE_ONLY)
  webhookSecret?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Clubs this gateway serves; empty = organization default' })
  clubIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'CloudPayments: authorize first, capture later (default false)' })
  twoStage?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'CryptoCloud: the cryptocurrencies offered, e.g. ["USDT_TRC20", "BTC"]' })
  availableCurrencies?: string[] | null;

  @Field(() => String, { nullable: true, description: 'CryptoCloud: one cryptocurrency chosen for the payer' })
  cryptocurrency?: string | null;
}

@ObjectType()
export class PaymentGateway {
  @Field(() => ID)
  id!: string;

  @Field(() => GatewayType)
  type!: GatewayType;

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

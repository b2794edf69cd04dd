import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DecimalScalar } from './scalars';

@ObjectType({ description: 'A card its payer agreed to save (initiateTopUpPayment saveCard), on the gateway that tokenized it' })
export class SavedPaymentMethod {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: '411111******1111, or •••• 1111 when the first digits are unknown' })
  cardMask!: string;

  @Field(() => String, { nullable: true, description: 'The gateway\'s card type: Visa, Mastercard, MIR…' })
  brand!: string | null;

  @Field(() => DateTimeResolver, { description: 'The end of the card\'s expiry month' })
  expiresAt!: Date;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@InputType()
export class ChargeSavedCardInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ID)
  paymentMethodId!: string;

  @Field(() => DecimalScalar, { description: 'In the client\'s currency' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first charge\'s payment; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;
}

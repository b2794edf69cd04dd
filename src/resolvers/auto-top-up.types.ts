import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DecimalScalar } from './scalars';

@ObjectType({ description: 'A client\'s auto top-up: a merchant-initiated charge of a saved card when a debit leaves the balance below the threshold' })
export class AutoTopUp {
  @Field(() => ID) clientId!: string;
  @Field(() => ID) paymentMethodId!: string;
  @Field(() => DecimalScalar, { description: 'A debit leaving the balance below this charges the card' }) threshold!: string;
  @Field(() => DecimalScalar, { description: 'What each charge tops up, in the client\'s currency' }) amount!: string;
  @Field(() => String) currency!: string;
  @Field(() => Int, { description: 'Charges per UTC day at most' }) dailyLimit!: number;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String, { nullable: true, description: 'Why charges are paused (a decline, a card that can no longer be charged) until setAutoTopUp is called again' }) pausedReason!: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) lastChargeAt!: Date | null;
  @Field(() => ID, { nullable: true }) lastPaymentId!: string | null;
  @Field(() => Int, { description: 'Charges started this UTC day' }) chargesToday!: number;
}

@InputType()
export class SetAutoTopUpInput {
  @Field(() => ID) clientId!: string;
  @Field(() => ID) paymentMethodId!: string;
  @Field(() => DecimalScalar, { description: 'Zero or more, in the client\'s currency' }) threshold!: string;
  @Field(() => DecimalScalar, { description: 'More than zero, in the client\'s currency' }) amount!: string;
  @Field(() => Int, { nullable: true, description: 'Charges per UTC day, 1 to 24; 3 when left out' }) dailyLimit?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'false switches it off; true (the default) also clears a pause' }) enabled?: boolean | null;
}

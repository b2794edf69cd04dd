import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ORDER_FIELDS, PERIODS, type Direction, type OrderField, type Period } from '../services/payments/payment-filter';
import { PaymentStatus } from '../generated/prisma/enums';
import { DecimalScalar } from './scalars';
import { Payment } from './payment.types';
import { GatewayType, PageInfo } from './shared.types';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
export const PeriodEnum = enumOf(PERIODS);
export const PaymentOrderFieldEnum = enumOf(ORDER_FIELDS);
export const SortDirectionEnum = enumOf<Direction>(['ASC', 'DESC']);
registerEnumType(PeriodEnum, { name: 'Period', description: 'In the organization\'s time zone; weeks start on Monday' });
registerEnumType(PaymentOrderFieldEnum, { name: 'PaymentOrderField' });
registerEnumType(SortDirectionEnum, { name: 'SortDirection' });

@InputType({ description: 'Every field narrows the list; absent fields do not. The environment is the key\'s.' })
export class PaymentFilter {
  @Field(() => [ID], { nullable: true, description: 'At most 500' })
  ids?: string[] | null;

  @Field(() => ID, { nullable: true })
  clientId?: string | null;

  @Field(() => ID, { nullable: true })
  clubId?: string | null;

  @Field(() => ID, { nullable: true })
  gatewayId?: string | null;

  @Field(() => GatewayType, { nullable: true })
  gatewayType?: GatewayType | null;

  @Field(() => [PaymentStatus], { nullable: true, description: 'Any of these' })
  status?: PaymentStatus[] | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Created at or after' })
  createdFrom?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Created before' })
  createdTo?: Date | null;

  @Field(() => PeriodEnum, { nullable: true, description: 'Instead of createdFrom/createdTo' })
  period?: Period | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Confirmed at or after' })
  paidFrom?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Confirmed before' })
  paidTo?: Date | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Amount at least' })
  amountFrom?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Amount at most' })
  amountTo?: string | null;

  @Field(() => String, { nullable: true })
  currency?: string | null;

  @Field(() => String, { nullable: true, description: 'Paygate\'s id, the gateway\'s transaction id, the external or the document number; * matches any characters' })
  number?: string | null;

  @Field(() => String, { nullable: true, description: 'Contained in the description or the staff note (case-insensitive)' })
  text?: string | null;

  @Field(() => Boolean, { nullable: true })
  restrictRefund?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'A refund of it could not take back everything (the money was spent)' })
  hasShortfall?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only deleted payments; absent or false: none' })
  deleted?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'A saved filter (paymentFilters) of this organization and environment, ANDed with the rest' })
  savedFilterId?: string | null;
}

@InputType()
export class PaymentOrder {
  @Field(() => PaymentOrderFieldEnum)
  field!: OrderField;

  @Field(() => SortDirectionEnum)
  direction!: Direction;
}

@ObjectType()
export class PaymentEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Payment)
  node!: Payment;
}

@ObjectType({ description: 'Of the whole filtered set, not the page' })
export class PaymentTotal {
  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => String)
  currency!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DecimalScalar, { description: 'The gateways\' fees known (an unknown fee counts as none)' })
  fee!: string;

  @Field(() => DecimalScalar, { description: 'amount − fee' })
  net!: string;
}

@ObjectType()
export class PaymentConnection {
  @Field(() => [PaymentEdge])
  edges!: PaymentEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Read by the field resolvers, once, only when asked for. */
  summary!: () => Promise<{ totalCount: number; totals: PaymentTotal[] }>;
}

@InputType({ description: 'Only what is given changes; an empty text clears it. Amount, currency, status, client and gateway are never edited.' })
export class EditPaymentInput {
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Staff note, up to 2000 characters' })
  note?: string | null;

  @Field(() => Boolean, { nullable: true })
  restrictRefund?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Up to 64 characters' })
  externalNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'Up to 64 characters' })
  documentNumber?: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  documentDate?: Date | null;

  @Field(() => [String], { nullable: true, description: 'The whole set (at most 20, each up to 64 characters)' })
  tags?: string[] | null;
}

@ObjectType({ description: 'What a bulk operation did with one id' })
export class BulkResult {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { nullable: true, description: 'Why not: NOT_FOUND, CONFLICT (the payment moved money), …' })
  code!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;
}

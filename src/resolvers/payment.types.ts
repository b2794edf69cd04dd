import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { PaymentStatus, RefundStatus } from '../generated/prisma/enums';
import { DecimalScalar } from './scalars';
import { Environment, GatewayType } from './shared.types';

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });
registerEnumType(RefundStatus, { name: 'RefundStatus' });

@InputType()
export class InitiatePaymentInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ID)
  clubId!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String, { nullable: true, description: 'ISO 4217; default and only: the client\'s currency' })
  currency?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the payer lands afterwards; ?status=failed is added on failure' })
  returnUrl?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first result; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'The payer agrees to have the card saved for one-click charges (chargeSavedCard)' })
  saveCard?: boolean | null;
}

@ObjectType({ description: 'One field an edit changed, as text (null: empty)' })
export class FieldChange {
  @Field(() => String)
  field!: string;

  @Field(() => String, { nullable: true })
  before!: string | null;

  @Field(() => String, { nullable: true })
  after!: string | null;
}

@ObjectType()
export class PaymentEvent {
  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => String, { description: 'STATUS (the status changed), EDIT (staff corrected fields: see changes) or NOTE (recorded for people, status unchanged)' })
  kind!: string;

  @Field(() => [FieldChange])
  changes!: FieldChange[];

  @Field(() => String, { nullable: true, description: 'The acting key\'s name, when a key acted' })
  actorName!: string | null;

  @Field(() => PaymentStatus, { nullable: true })
  fromStatus!: PaymentStatus | null;

  @Field(() => PaymentStatus)
  toStatus!: PaymentStatus;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType()
export class Refund {
  @Field(() => ID)
  id!: string;

  @Field(() => RefundStatus)
  status!: RefundStatus;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DecimalScalar, { description: 'The part the balance could not cover (already spent): manual handling' })
  shortfall!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => String, { nullable: true })
  gatewayRefundId!: string | null;
}

@ObjectType()
export class Payment {
  @Field(() => ID)
  id!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String)
  currency!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => ID)
  clubId!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  confirmedAt!: Date | null;

  @Field(() => DateTimeResolver)
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  gatewayTransactionId!: string | null;

  @Field(() => GatewayType)
  gatewayType!: GatewayType;

  @Field(() => DecimalScalar)
  refundedAmount!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  paymentUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it failed or was cancelled' })
  failureReason!: string | null;

  @Field(() => String, { nullable: true, description: 'The gateway\'s reason code, or EXPIRED / CANCELLED' })
  failureCode!: string | null;
}

@ObjectType({ description: 'Parameters to open the gateway\'s widget in place (Apple Pay / Google Pay, no redirect)' })
export class PaymentWidget {
  @Field(() => String, { description: 'publicTerminalId' })
  publicId!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String)
  currency!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String, { description: 'The payment id; comes back as InvoiceId' })
  invoiceId!: string;

  @Field(() => String, { description: 'The same id under the widget\'s current name' })
  externalId!: string;

  @Field(() => String)
  accountId!: string;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { description: 'Single (one-stage) or Dual (two-stage)' })
  paymentSchema!: string;

  @Field(() => Boolean, { description: 'Pass as the widget\'s tokenize: the payer agreed to have the card saved' })
  tokenize!: boolean;
}

@ObjectType()
export class InitiatePaymentResult {
  @Field(() => String)
  paymentUrl!: string;

  @Field(() => ID, { description: 'The payment id (pay_…): for payment(id:), refundPayment, and the InvoiceId at the gateway' })
  transactionId!: string;

  @Field(() => DateTimeResolver)
  expiresAt!: Date;

  @Field(() => Payment)
  payment!: Payment;

  @Field(() => PaymentWidget, { nullable: true, description: 'null for gateways without an in-page widget' })
  widget!: PaymentWidget | null;
}

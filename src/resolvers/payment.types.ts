import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { PaymentStatus, RefundStatus, ShortfallResolution } from '../generated/prisma/enums';
import { DecimalScalar } from './scalars';
import { Environment, GatewayType, LedgerKind } from './shared.types';

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });
registerEnumType(RefundStatus, { name: 'RefundStatus' });
registerEnumType(ShortfallResolution, {
  name: 'ShortfallResolution',
  description: 'COLLECTED: the money came back by hand; WRITTEN_OFF; DEBITED: taken from the balance (what it held then, once per refund)',
});

@InputType({ description: 'A line of what the payment is for, as a 54-FZ receipt takes it' })
export class PaymentItemInput {
  @Field(() => String, { description: '1-128 characters, no control characters (trimmed)' })
  name!: string;

  @Field(() => DecimalScalar, { description: 'Greater than zero, at most 3 decimals' })
  quantity!: string;

  @Field(() => DecimalScalar, { description: 'Per unit; greater than zero, at most the currency\'s decimals' })
  price!: string;

  @Field(() => Int, { nullable: true, description: 'The VAT code CloudKassir takes: 0, 5, 7, 10, 12, 20, 22, 105, 107, 110, 120, 122; null: without VAT' })
  vat?: number | null;
}

@ObjectType()
export class PaymentItem {
  @Field(() => String)
  name!: string;

  @Field(() => DecimalScalar)
  quantity!: string;

  @Field(() => DecimalScalar)
  price!: string;

  @Field(() => Int, { nullable: true, description: 'null: without VAT' })
  vat!: number | null;
}

@ObjectType({ description: 'A part of a debit that a top-up paid for (first in, first out)' })
export class Allocation {
  @Field(() => ID, { description: 'The debit\'s ledger entry' })
  ledgerEntryId!: string;

  @Field(() => LedgerKind, { description: 'SPEND (debitBalance), REFUND (of this or another payment) or ADJUSTMENT (a negative one)' })
  kind!: LedgerKind;

  @Field(() => DecimalScalar, { description: 'How much of this top-up the debit took' })
  amount!: string;

  @Field(() => DateTimeResolver)
  at!: Date;
}

/** Money coming in for a client at a club: what a top-up and a payment staff record both say. */
@InputType()
export class MoneyInInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => ID)
  clubId!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String, { nullable: true, description: 'ISO 4217; default and only: the client\'s currency' })
  currency?: string | null;
}

@InputType()
export class InitiatePaymentInput extends MoneyInInput {
  @Field(() => String, { nullable: true, description: 'Where the payer lands afterwards; ?status=failed is added on failure' })
  returnUrl?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first result; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;

  @Field(() => [PaymentItemInput], { nullable: true, description: 'What the payment is for: at most 100 lines whose quantity × price add up to the amount exactly. Absent: one "Balance top-up" line' })
  items?: PaymentItemInput[] | null;

  @Field(() => ID, { nullable: true, description: 'One of the gateways serving the club (the one assigned to it, or an organization default); absent: the club\'s own' })
  gatewayId?: string | null;

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

  @Field(() => DecimalScalar, { description: 'The part the balance could not cover (already spent), less what resolveShortfall DEBITED since: manual handling' })
  shortfall!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => String, { nullable: true })
  gatewayRefundId!: string | null;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => ShortfallResolution, { nullable: true, description: 'How staff handled the shortfall (DEBITED may leave part of it open)' })
  shortfallResolution!: ShortfallResolution | null;

  @Field(() => String, { nullable: true })
  shortfallNote!: string | null;

  @Field(() => DecimalScalar, { description: 'What resolveShortfall DEBITED took from the balance' })
  shortfallDebited!: string;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the shortfall was closed; null while open' })
  shortfallResolvedAt!: Date | null;
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

  @Field(() => ID, { nullable: true, description: 'The subscription whose recurring charge this is' })
  subscriptionId!: string | null;
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

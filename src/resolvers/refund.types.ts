import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MANUAL_METHODS, type ManualMethod } from '../services/payments/record-manual-payment';
import { MoneyInInput, PaymentItemInput } from './payment.types';
import { DecimalScalar } from './scalars';

@InputType()
export class RefundInput {
  @Field(() => ID, { description: 'The payment: Paygate\'s id (pay_…) or the gateway\'s transaction id' })
  transactionId!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'No amount = everything left' })
  amount?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'success = the gateway accepted the refund; the balance debit and status follow a moment later, once.' })
export class RefundResult {
  @Field(() => Boolean)
  success!: boolean;

  @Field(() => ID, { nullable: true })
  refundId!: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  amount!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;
}

@InputType()
export class BalanceDebitInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => [PaymentItemInput], { nullable: true, description: 'What the balance paid for: at most 100 lines whose quantity × price add up to the amount exactly. With receipts enabled, the spend gets its 54-FZ full-settlement receipt (LedgerEntry.receipt); absent: none' })
  items?: PaymentItemInput[] | null;
}

@InputType({ description: 'A correction by staff: + credits, − debits the balance (ledger kind ADJUSTMENT); never below zero' })
export class BalanceAdjustmentInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => DecimalScalar, { description: 'Signed, not zero' })
  amount!: string;

  @Field(() => String, { description: 'Why: kept with the ledger entry and sent in the webhook' })
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first result; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;
}

export const ManualMethodEnum = Object.fromEntries(MANUAL_METHODS.map((m) => [m, m])) as { [K in ManualMethod]: K };
registerEnumType(ManualMethodEnum, { name: 'ManualMethod', description: 'How staff took the money; such a payment\'s gatewayType is MANUAL' });

@InputType({ description: 'Money staff took themselves (cash, a bank transfer): a CONFIRMED MANUAL payment, credited once' })
export class ManualPaymentInput extends MoneyInInput {
  @Field(() => ManualMethodEnum)
  method!: ManualMethod;

  @Field(() => String, { nullable: true, description: 'The payment document (receipt, bank reference), up to 64 characters' })
  documentNumber?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Same key and input: the first result; same key, other input: CONFLICT' })
  idempotencyKey?: string | null;
}

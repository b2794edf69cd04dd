import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ReceiptStatus, ReceiptType } from '../generated/prisma/enums';
import { DecimalScalar } from './scalars';

registerEnumType(ReceiptType, { name: 'ReceiptType', description: 'INCOME: money taken (a top-up, a spend settled); INCOME_RETURN: a refund' });
registerEnumType(ReceiptStatus, { name: 'ReceiptStatus', description: 'PENDING: sent or about to be; ISSUED: printed, fiscal data known; FAILED: refused (see error), retryReceipt sends it again' });

@ObjectType({ description: 'A 54-FZ receipt (CloudKassir) for one money movement' })
export class Receipt {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'Null for the settlement receipt of a balance spend' })
  paymentId!: string | null;

  @Field(() => ReceiptType)
  type!: ReceiptType;

  @Field(() => ReceiptStatus)
  status!: ReceiptStatus;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String, { nullable: true })
  fiscalNumber!: string | null;

  @Field(() => String, { nullable: true })
  fiscalSign!: string | null;

  @Field(() => String, { nullable: true })
  documentNumber!: string | null;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => String, { nullable: true })
  qrCodeUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the register refused it' })
  error!: string | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

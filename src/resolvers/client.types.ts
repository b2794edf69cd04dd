import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DecimalScalar } from './scalars';
import { LedgerKind, PageInfo } from './shared.types';

@InputType()
export class ClientInput {
  @Field(() => ID, { description: "The CRM's own client id, unique per organization" })
  id!: string;

  @Field(() => ID, { nullable: true })
  clubId?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => String, { nullable: true, description: 'The currency of its balances (ISO 4217). At creation, default: the organization\'s default currency; fixed once the client has a ledger entry' })
  currency?: string | null;
}

@ObjectType({ description: 'One balance movement; amount is signed (+ credit, − debit); balance = Σ amount, never < 0.' })
export class LedgerEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => LedgerKind)
  kind!: LedgerKind;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DecimalScalar)
  balanceAfter!: string;

  @Field(() => ID, { nullable: true })
  paymentId!: string | null;

  @Field(() => ID, { nullable: true })
  refundId!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType()
export class LedgerEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => LedgerEntry)
  node!: LedgerEntry;
}

@ObjectType()
export class LedgerConnection {
  @Field(() => [LedgerEdge])
  edges!: LedgerEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class Client {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true })
  clubId!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => Boolean)
  isActive!: boolean;

  @Field(() => DecimalScalar)
  balance!: string;

  @Field(() => String)
  currency!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

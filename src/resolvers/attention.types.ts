import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { Refund } from './payment.types';
import { PageInfo } from './shared.types';

@ObjectType()
export class RefundEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Refund)
  node!: Refund;
}

@ObjectType()
export class RefundConnection {
  @Field(() => [RefundEdge])
  edges!: RefundEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'Something that needs a person, with its evidence' })
export class AttentionItem {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => String, {
    description: 'UNKNOWN_INVOICE, AMOUNT_MISMATCH, DOUBLE_PAYMENT, REFUND_EXCEEDS, REFUND_MISMATCH, OUTBOX_STUCK, TEST_CARD_ON_LIVE, LIVE_CARD_ON_TEST, '
      + 'TRANSACTION_HELD_ELSEWHERE, CURRENCY_MISMATCH, UNREADABLE_CALLBACK, SHORTFALL (more may come)',
  })
  kind!: string;

  @Field(() => ID, { nullable: true })
  paymentId!: string | null;

  @Field(() => ID, { nullable: true })
  refundId!: string | null;

  @Field(() => JSONResolver, { nullable: true, description: 'What was seen: ids, texts, amounts as decimal strings (never secrets or card data)' })
  evidence!: unknown;

  @Field(() => DateTimeResolver, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'What staff did about it' })
  note!: string | null;
}

@ObjectType()
export class AttentionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AttentionItem)
  node!: AttentionItem;
}

@ObjectType()
export class AttentionConnection {
  @Field(() => [AttentionEdge])
  edges!: AttentionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

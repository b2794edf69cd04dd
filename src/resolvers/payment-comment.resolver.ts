import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { addPaymentComment, MAX_COMMENT_LENGTH, MAX_COMMENTS } from '../services/payments/add-payment-comment';
import { paymentComments } from '../services/payments/payment-comments';
import { serviceCtx, type GqlContext } from './context';
import { Payment } from './payment.types';

const THREAD_COST = 10;

@ObjectType({ description: 'A staff note on a payment; never edited or removed' })
export class PaymentComment {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => String, { description: 'The name of the key that wrote it' })
  author!: string;

  @Field(() => String)
  text!: string;
}

/** Staff comments on a payment (the seed's ticket.write.payment). */
@Resolver(() => Payment)
export class PaymentCommentResolver {
  @Authorized('ADMIN')
  @Mutation(() => PaymentComment, { description: `Add a note to a payment's thread: 1–${MAX_COMMENT_LENGTH} characters (trimmed), at most ${MAX_COMMENTS} per payment` })
  addPaymentComment(@Arg('id', () => ID) id: string, @Arg('text', () => String) text: string, @Ctx() ctx: GqlContext): Promise<PaymentComment> {
    return addPaymentComment(serviceCtx(ctx), id, text);
  }

  // Up to MAX_COMMENTS notes each: a detail, priced so that a page of the list cannot ask for every thread of its largest size.
  @FieldResolver(() => [PaymentComment], { description: 'Staff notes, oldest first', complexity: ({ childComplexity }) => THREAD_COST + childComplexity })
  comments(@Root() p: Payment, @Ctx() ctx: GqlContext): Promise<PaymentComment[]> {
    return paymentComments(serviceCtx(ctx), p);
  }
}

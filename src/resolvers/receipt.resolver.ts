import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { paymentReceipts, retryReceipt, spendReceipt } from '../services/receipts/receipts';
import { LedgerEntry } from './client.types';
import { serviceCtx, type GqlContext } from './context';
import { Payment } from './payment.types';
import { Receipt } from './receipt.types';

@Resolver(() => Receipt)
export class ReceiptResolver {
  @Authorized('ADMIN')
  @Mutation(() => Receipt, { description: 'Sends a FAILED receipt again (idempotent while it is PENDING)' })
  retryReceipt(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Receipt> {
    return retryReceipt(serviceCtx(ctx), id);
  }
}

@Resolver(() => Payment)
export class PaymentReceiptsResolver {
  @FieldResolver(() => [Receipt], { description: '54-FZ receipts of the payment and its refunds, oldest first' })
  receipts(@Root() payment: Payment, @Ctx() ctx: GqlContext): Promise<Receipt[]> {
    return paymentReceipts(serviceCtx(ctx), payment.id);
  }
}

@Resolver(() => LedgerEntry)
export class LedgerEntryReceiptResolver {
  @FieldResolver(() => Receipt, { nullable: true, description: 'A SPEND with items: its 54-FZ full-settlement receipt (receipts enabled); otherwise null' })
  receipt(@Root() entry: LedgerEntry, @Ctx() ctx: GqlContext): Promise<Receipt | null> {
    return entry.kind === 'SPEND' ? spendReceipt(serviceCtx(ctx), entry.id) : Promise.resolve(null);
  }
}

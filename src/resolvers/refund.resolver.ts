import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { debitBalance } from '../services/ledger/debit-balance';
import { adjustBalance } from '../services/ledger/adjust-balance';
import { refundPayment } from '../services/refunds/refund-payment';
import { LedgerEntry } from './client.types';
import { serviceCtx, type GqlContext } from './context';
import { BalanceAdjustmentInput, BalanceDebitInput, RefundInput, RefundResult } from './refund.types';
import { GATEWAY_CALL_COST } from './field-extensions';

@Resolver()
export class MoneyMovementResolver {
  @Authorized('ADMIN')
  @Mutation(() => RefundResult, { description: 'Full (no amount) or partial; never more than what is left', complexity: GATEWAY_CALL_COST })
  refundPayment(@Arg('input', () => RefundInput) input: RefundInput, @Ctx() ctx: GqlContext): Promise<RefundResult> {
    return refundPayment(serviceCtx(ctx), input);
  }

  @Authorized('ADMIN')
  @Mutation(() => LedgerEntry, { description: 'The CRM spends a balance; more than it holds is BAD_USER_INPUT ("insufficient balance")' })
  debitBalance(@Arg('input', () => BalanceDebitInput) input: BalanceDebitInput, @Ctx() ctx: GqlContext): Promise<LedgerEntry> {
    return debitBalance(serviceCtx(ctx), input);
  }

  @Authorized('ADMIN')
  @Mutation(() => LedgerEntry, { description: 'Staff correct a balance by hand (ADJUSTMENT); below zero is BAD_USER_INPUT; partners get BALANCE_ADJUSTED' })
  adjustBalance(@Arg('input', () => BalanceAdjustmentInput) input: BalanceAdjustmentInput, @Ctx() ctx: GqlContext): Promise<LedgerEntry> {
    return adjustBalance(serviceCtx(ctx), input);
  }
}

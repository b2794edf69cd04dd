import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { markPaymentPaid } from '../services/payments/mark-payment-paid';
import { recordManualPayment } from '../services/payments/record-manual-payment';
import { Payment } from './payment.types';
import { debitBalance } from '../services/ledger/debit-balance';
import { adjustBalance } from '../services/ledger/adjust-balance';
import { refundPayment } from '../services/refunds/refund-payment';
import { LedgerEntry } from './client.types';
import { serviceCtx, type GqlContext } from './context';
import { BalanceAdjustmentInput, BalanceDebitInput, ManualPaymentInput, RefundInput, RefundResult } from './refund.types';
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

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'Cash at the desk or a bank transfer: a CONFIRMED payment of gatewayType MANUAL, credited once (partners get PAYMENT_RECEIVED); refundPayment on it records the refund with no gateway call' })
  recordManualPayment(@Arg('input', () => ManualPaymentInput) input: ManualPaymentInput, @Ctx() ctx: GqlContext): Promise<Payment> {
    return recordManualPayment(serviceCtx(ctx), input) as unknown as Promise<Payment>;
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { complexity: GATEWAY_CALL_COST, description: 'A PENDING gateway payment whose money came another way: its order at the gateway is cancelled, then it is confirmed and credited; a Pay that still comes is a double payment, never credited' })
  markPaymentPaid(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('documentNumber', () => String, { nullable: true }) documentNumber: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<Payment> {
    return markPaymentPaid(serviceCtx(ctx), id, { reason, documentNumber }) as unknown as Promise<Payment>;
  }
}

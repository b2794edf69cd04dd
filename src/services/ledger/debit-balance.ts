// debitBalance: the CRM spends a client's balance, never below zero (see movement.ts).
import type { Ctx } from '../../context';
import { spendEntryAmount } from '../../domain/ledger';
import { parseAmount } from '../../domain/money';
import type { LedgerEntryView } from '../common/views';
import { moveBalanceOnce, type MovementInput } from './movement';

export type DebitInput = MovementInput;

export async function debitBalance(ctx: Ctx, input: DebitInput): Promise<LedgerEntryView> {
  const { entry } = await moveBalanceOnce(ctx, input, {
    kind: 'SPEND',
    what: 'debit',
    entryAmount: (amount, currency) => spendEntryAmount(parseAmount(amount, currency)),
    requestParts: (clientId, entryAmount, reason) => [clientId, entryAmount.negated().toFixed(), reason],
    belowZero: (clientId, balance) => `insufficient balance: client ${clientId} has ${balance}`,
  });
  return entry;
}

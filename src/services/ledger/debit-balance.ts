// debitBalance: the CRM spends a client's balance, never below zero (see movement.ts). With items
// (what was bought) and receipts on, the spend's 54-FZ full-settlement receipt is queued in the
// same transaction: the service is delivered now, paid with the advance the top-ups took.
import type { Ctx } from '../../context';
import { spendEntryAmount } from '../../domain/ledger';
import { parseAmount } from '../../domain/money';
import { checkItems, type PaymentItem, type PaymentItemInput } from '../../domain/payment-items';
import type { LedgerEntryView } from '../common/views';
import { queueSettlementReceipt } from '../receipts/queue-receipts';
import { moveBalanceOnce, type MovementInput } from './movement';

export interface DebitInput extends MovementInput {
  /** What the balance paid for: lines adding up to the amount; absent, no settlement receipt. */
  items?: readonly PaymentItemInput[] | null;
}

export async function debitBalance(ctx: Ctx, input: DebitInput): Promise<LedgerEntryView> {
  let items: PaymentItem[] | null = null;
  let queued = false;
  const { entry, replayed } = await moveBalanceOnce(ctx, input, {
    kind: 'SPEND',
    what: 'debit',
    entryAmount: (amount, currency) => {
      const spent = parseAmount(amount, currency);
      if (input.items !== undefined && input.items !== null) items = checkItems(input.items, spent, currency);
      return spendEntryAmount(spent);
    },
    // Without items the parts are what they were before items existed: old keys replay as before.
    requestParts: (clientId, entryAmount, reason) => [clientId, entryAmount.negated().toFixed(), reason, ...(items ? [items] : [])],
    belowZero: (clientId, balance) => `insufficient balance: client ${clientId} has ${balance}`,
    alongside: async (tx, e, currency) => {
      if (!items) return;
      queued = (await queueSettlementReceipt(tx, { organizationId: e.organizationId, environment: e.environment, clientId: e.clientId, entryId: e.id, amount: e.amount.negated(), currency }, items)).length > 0;
    },
  });
  if (queued && !replayed) ctx.deps.outboxSignal.notify(['receipt.issue']);
  return entry;
}

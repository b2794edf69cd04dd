// adjustBalance: staff move a client's balance by hand (+ credit, − debit) as an ADJUSTMENT ledger
// entry, never below zero, once per idempotency key (see movement.ts), and tell partners with a
// BALANCE_ADJUSTED webhook written in the same transaction (the outbox).
import type { Ctx } from '../../context';
import { parseSignedAmount } from '../../domain/money';
import type { LedgerEntryView } from '../common/views';
import { addOutbox } from '../outbox/outbox';
import { balanceAdjustedEvent } from '../webhooks/emit';
import { moveBalanceOnce, type MovementInput } from './movement';

export type AdjustmentInput = MovementInput;

export async function adjustBalance(ctx: Ctx, input: AdjustmentInput): Promise<LedgerEntryView> {
  const { entry, replayed } = await moveBalanceOnce(ctx, input, {
    kind: 'ADJUSTMENT',
    what: 'adjustment',
    entryAmount: (amount, currency) => parseSignedAmount(amount, currency),
    requestParts: (clientId, entryAmount, reason) => ['adjustment', clientId, entryAmount.toFixed(), reason],
    belowZero: (clientId, balance) => `the adjustment would take the balance below zero: client ${clientId} has ${balance}`,
    alongside: (tx, e, currency) => addOutbox(tx, [balanceAdjustedEvent({ organizationId: ctx.orgId, environment: ctx.env }, e, currency, ctx.actor)]).then(() => undefined),
  });
  if (!replayed) ctx.deps.outboxSignal.notify(['webhook.event']);
  ctx.log.info({ clientId: input.clientId, ledgerEntryId: entry.id, replayed }, 'balance adjusted');
  return entry;
}

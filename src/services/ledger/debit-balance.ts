// debitBalance: the CRM spends a client's balance. Never below zero: the ledger posting's own
// guard (and a CHECK in the database), so concurrent debits cannot overdraw.
import type { Ctx } from '../../context';
import { badInput, unknownClient } from '../../domain/errors';
import { spendEntryAmount } from '../../domain/ledger';
import { formatAmount, parseAmount } from '../../domain/money';
import { once, requestHash } from '../common/idempotency';
import { externalId, optionalText, text } from '../common/validate';
import { toLedgerEntryView, type LedgerEntryView } from '../common/views';
import { InsufficientBalance, postToLedger } from './post';

export interface DebitInput {
  clientId: string;
  amount: string;
  reason: string;
  idempotencyKey?: string | null;
}

export async function debitBalance(ctx: Ctx, input: DebitInput): Promise<LedgerEntryView> {
  const clientId = externalId(input.clientId, 'clientId');
  const reason = text(input.reason, 'reason', 500);
  const key = optionalText(input.idempotencyKey, 'idempotencyKey', 255) ?? null;
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  const amount = parseAmount(input.amount, client.currency);
  const hash = requestHash([clientId, amount.toFixed(), reason]);
  const { row } = await once({
    key,
    requestHash: hash,
    what: 'debit',
    find: (k) => ctx.deps.db.ledgerEntry.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: k } } }),
    create: async () => {
      try {
        const [entry] = await ctx.deps.db.$transaction((tx) => postToLedger(tx, [{
          organizationId: ctx.orgId, environment: ctx.env, clientId, kind: 'SPEND', amount: spendEntryAmount(amount), reason, actor: ctx.actor, idempotencyKey: key, requestHash: hash,
        }]));
        return entry;
      } catch (err) {
        // The balance it was refused against, not one read before a concurrent debit moved it.
        if (err instanceof InsufficientBalance) throw badInput(`insufficient balance: client ${clientId} has ${formatAmount(err.balance, client.currency)} ${client.currency}`, 'amount');
        throw err;
      }
    },
  });
  return toLedgerEntryView(row, client.currency);
}

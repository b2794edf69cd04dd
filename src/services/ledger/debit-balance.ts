// debitBalance: the CRM spends a client's balance. Never below zero: the guard is in the UPDATE
// itself (and a CHECK in the database), so concurrent debits cannot overdraw.
import { createHash } from 'node:crypto';
import type { Ctx } from '../../context';
import { AppError, badInput, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { formatAmount, parseAmount } from '../../domain/money';
import { toLedgerEntryView, type LedgerEntryView } from '../shared/views';
import { isUniqueViolation } from '../shared/db-errors';
import { externalId, optionalText, text } from '../shared/validate';

export interface DebitInput {
  clientId: string;
  amount: string;
  reason: string;
  idempotencyKey?: string | null;
}

export async function debitBalance(ctx: Ctx, input: DebitInput): Promise<LedgerEntryView> {
  const clientId = externalId(input.clientId, 'clientId');
  const reason = text(input.reason, 'reason', 500);
  const idempotencyKey = optionalText(input.idempotencyKey, 'idempotencyKey', 255) ?? null;
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw notFound('client', clientId);
  const amount = parseAmount(input.amount, client.currency);
  const requestHash = createHash('sha256').update(JSON.stringify([clientId, amount.toFixed(), reason])).digest('hex');

  const replay = async () => {
    const earlier = await ctx.deps.db.ledgerEntry.findUnique({ where: { organizationId_idempotencyKey: { organizationId: ctx.orgId, idempotencyKey: idempotencyKey! } } });
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw new AppError('CONFLICT', `idempotencyKey ${idempotencyKey} was already used for a different debit (${earlier.id})`);
    return toLedgerEntryView(earlier, client.currency);
  };
  if (idempotencyKey) {
    const earlier = await replay();
    if (earlier) return earlier;
  }
  try {
    const entry = await ctx.deps.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ balance: string }[]>`
        UPDATE "Client" SET balance = balance - ${amount.toFixed()}::numeric, "updatedAt" = now()
        WHERE "organizationId" = ${ctx.orgId} AND id = ${clientId} AND balance >= ${amount.toFixed()}::numeric
        RETURNING balance::text AS balance`;
      if (!rows.length) {
        // The balance now, not the one read before this transaction: a concurrent debit may have moved it.
        const [now] = await tx.$queryRaw<{ balance: string }[]>`SELECT balance::text AS balance FROM "Client" WHERE "organizationId" = ${ctx.orgId} AND id = ${clientId}`;
        throw badInput(`insufficient balance: client ${clientId} has ${formatAmount(now.balance, client.currency)} ${client.currency}`, 'amount');
      }
      return tx.ledgerEntry.create({
        data: {
          id: newId('led'), organizationId: ctx.orgId, clientId, kind: 'SPEND', amount: amount.negated().toFixed(), balanceAfter: rows[0].balance,
          reason, actor: ctx.actor, idempotencyKey, requestHash,
        },
      });
    });
    return toLedgerEntryView(entry, client.currency);
  } catch (err) {
    if (idempotencyKey && isUniqueViolation(err)) {
      const earlier = await replay();
      if (earlier) return earlier;
    }
    throw err;
  }
}

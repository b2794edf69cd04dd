// adjustBalance: staff move a client's balance by hand (+ credit, − debit) as an ADJUSTMENT ledger
// entry, never below zero, once per idempotency key, and tell partners with a BALANCE_ADJUSTED
// webhook written in the same transaction (the outbox).
import type { Ctx } from '../../context';
import { badInput, unknownClient } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { formatAmount, parseSignedAmount } from '../../domain/money';
import type { WebhookMessage } from '../../domain/webhook-events';
import type { Prisma } from '../../generated/prisma/client';
import { once, requestHash } from '../common/idempotency';
import { externalId, optionalText, text } from '../common/validate';
import { toLedgerEntryView, type LedgerEntryView } from '../common/views';
import { addOutbox } from '../outbox/outbox';
import { InsufficientBalance, postToLedger } from './post';

export interface AdjustmentInput {
  clientId: string;
  amount: string;
  reason: string;
  idempotencyKey?: string | null;
}

export async function adjustBalance(ctx: Ctx, input: AdjustmentInput): Promise<LedgerEntryView> {
  const clientId = externalId(input.clientId, 'clientId');
  const reason = text(input.reason, 'reason', 500);
  const key = optionalText(input.idempotencyKey, 'idempotencyKey', 255) ?? null;
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  const amount = parseSignedAmount(String(input.amount), client.currency);
  const hash = requestHash(['adjustment', clientId, amount.toFixed(), reason]);
  const { row, replayed } = await once({
    key,
    requestHash: hash,
    what: 'adjustment',
    find: (k) => ctx.deps.db.ledgerEntry.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: k } } }),
    create: async () => {
      try {
        return await ctx.deps.db.$transaction(async (tx) => {
          const [entry] = await postToLedger(tx, [{
            organizationId: ctx.orgId, environment: ctx.env, clientId, kind: 'ADJUSTMENT', amount, reason, actor: ctx.actor, idempotencyKey: key, requestHash: hash,
          }]);
          const id = newId('msg');
          const message: WebhookMessage = {
            type: 'BALANCE_ADJUSTED', timestamp: entry.at.toISOString(), environment: ctx.env,
            data: {
              clientId, currency: client.currency, amount: formatAmount(entry.amount, client.currency), balanceAfter: formatAmount(entry.balanceAfter, client.currency),
              reason, ledgerEntryId: entry.id, actor: ctx.actor,
            },
          };
          await addOutbox(tx, [{ key: `event-${id}`, kind: 'webhook.event', organizationId: ctx.orgId, payload: { id, message } as unknown as Prisma.InputJsonObject }]);
          return entry;
        });
      } catch (err) {
        if (err instanceof InsufficientBalance) {
          throw badInput(`the adjustment would take the balance below zero: client ${clientId} has ${formatAmount(err.balance, client.currency)} ${client.currency}`, 'amount');
        }
        throw err;
      }
    },
  });
  if (!replayed) ctx.deps.outboxSignal.notify(['webhook.event']);
  ctx.log.info({ clientId, ledgerEntryId: row.id, replayed }, 'balance adjusted');
  return toLedgerEntryView(row, client.currency);
}

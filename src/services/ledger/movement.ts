// A balance movement a caller asks for by hand (debitBalance, adjustBalance): the input checked,
// the client found, one ledger entry per idempotency key, never below zero (the posting's own
// guard, so concurrent movements cannot overdraw), and whatever else must commit with it.
import type { Ctx } from '../../context';
import type { Tx } from '../../db';
import { badInput, unknownClient } from '../../domain/errors';
import { formatAmount, type Decimal } from '../../domain/money';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { externalId, text } from '../common/validate';
import { toLedgerEntryView, type LedgerEntryView } from '../common/views';
import { InsufficientBalance, postToLedger, type PostedEntry } from './post';

export interface MovementInput {
  clientId: string;
  amount: string;
  reason: string;
  idempotencyKey?: string | null;
}

export interface MovementKind {
  kind: 'SPEND' | 'ADJUSTMENT';
  /** For the idempotency refusal: "… already used for a different <what>". */
  what: string;
  /** The entry's signed amount, from the input's amount in the client's currency (refusing what is not one). */
  entryAmount: (amount: string, currency: string) => Decimal;
  /** What makes two requests under one idempotency key the same request. */
  requestParts: (clientId: string, entryAmount: Decimal, reason: string) => unknown[];
  /** The refusal when the balance would go below zero; `balance` as "12.00 RUB". */
  belowZero: (clientId: string, balance: string) => string;
  /** Written in the entry's transaction. */
  alongside?: (tx: Tx, entry: PostedEntry, currency: string) => Promise<void>;
}

export async function moveBalanceOnce(ctx: Ctx, input: MovementInput, m: MovementKind): Promise<{ entry: LedgerEntryView; replayed: boolean }> {
  const clientId = externalId(input.clientId, 'clientId');
  const reason = text(input.reason, 'reason', 500);
  const key = callerIdempotencyKey(input.idempotencyKey);
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  const amount = m.entryAmount(String(input.amount), client.currency);
  const hash = requestHash(m.requestParts(clientId, amount, reason));
  const { row, replayed } = await once({
    key,
    requestHash: hash,
    what: m.what,
    find: (k) => ctx.deps.db.ledgerEntry.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: k } } }),
    create: async () => {
      try {
        return await ctx.deps.db.$transaction(async (tx) => {
          const [entry] = await postToLedger(tx, [{
            organizationId: ctx.orgId, environment: ctx.env, clientId, kind: m.kind, amount, reason, actor: ctx.actor, idempotencyKey: key, requestHash: hash,
          }]);
          await m.alongside?.(tx, entry, client.currency);
          return entry;
        });
      } catch (err) {
        // The balance it was refused against, not one read before a concurrent movement changed it.
        if (err instanceof InsufficientBalance) throw badInput(m.belowZero(clientId, `${formatAmount(err.balance, client.currency)} ${client.currency}`), 'amount');
        throw err;
      }
    },
  });
  return { entry: toLedgerEntryView(row, client.currency), replayed };
}

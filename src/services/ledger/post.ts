// Every movement of a balance goes through here: ledger entries (append-only) and the client's
// balance in the caller's transaction. One UPDATE per client and environment, guarded so that no
// balance goes below zero, and each entry carries the balance right after it.
import { Prisma } from '../../generated/prisma/client';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { balancesAfterEach, netOf } from '../../domain/ledger';
import { Decimal } from '../../domain/money';
import type { LedgerEntry } from '../../generated/prisma/client';
import type { Environment, LedgerKind } from '../../generated/prisma/enums';

export interface Posting {
  organizationId: string;
  environment: Environment;
  clientId: string;
  kind: LedgerKind;
  /** Signed: + credit, − debit. */
  amount: Decimal;
  paymentId?: string | null;
  refundId?: string | null;
  actor: string;
  reason: string | null;
  idempotencyKey?: string | null;
  requestHash?: string | null;
}

/** The balance would go below zero: nothing was posted. */
export class InsufficientBalance extends Error {
  constructor(readonly clientId: string, readonly balance: Decimal) {
    super(`insufficient balance: client ${clientId} has ${balance.toFixed()}`);
  }
}

/** A ledger entry as posted: amounts as decimals. */
export type PostedEntry = Omit<LedgerEntry, 'amount' | 'balanceAfter'> & { amount: Decimal; balanceAfter: Decimal };

/** A client keeps one balance per environment, each a column of its row (so one row lock covers both). */
export const BALANCE_FIELD = { LIVE: 'balance', TEST: 'testBalance' } as const satisfies Record<Environment, string>;
export const BALANCE_COLUMN: Record<Environment, Prisma.Sql> = { LIVE: Prisma.raw(`"${BALANCE_FIELD.LIVE}"`), TEST: Prisma.raw(`"${BALANCE_FIELD.TEST}"`) };

export async function postToLedger(tx: Tx, postings: readonly Posting[]): Promise<PostedEntry[]> {
  const byClient = new Map<string, Posting[]>();
  for (const p of postings) {
    const key = JSON.stringify([p.organizationId, p.clientId, p.environment]);
    byClient.set(key, [...(byClient.get(key) ?? []), p]);
  }
  const entries: PostedEntry[] = [];
  const at = new Date();
  // Clients in a stable order, so two batches never lock each other's rows crosswise.
  for (const key of [...byClient.keys()].sort()) {
    const group = byClient.get(key)!;
    const { organizationId, clientId, environment } = group[0];
    const column = BALANCE_COLUMN[environment];
    const delta = netOf(group.map((p) => p.amount));
    const rows = await tx.$queryRaw<{ balance: string }[]>`
      UPDATE "Client" SET ${column} = ${column} + ${delta.toFixed()}::numeric, "updatedAt" = now()
      WHERE "organizationId" = ${organizationId} AND id = ${clientId} AND ${column} + ${delta.toFixed()}::numeric >= 0
      RETURNING ${column}::text AS balance`;
    if (!rows.length) {
      const [current] = await tx.$queryRaw<{ balance: string }[]>`SELECT ${column}::text AS balance FROM "Client" WHERE "organizationId" = ${organizationId} AND id = ${clientId}`;
      if (!current) throw new Error(`client ${organizationId}/${clientId} not found`);
      throw new InsufficientBalance(clientId, new Decimal(current.balance));
    }
    const after = balancesAfterEach(new Decimal(rows[0].balance), group.map((p) => p.amount));
    for (const [i, p] of group.entries()) {
      entries.push({
        id: newId('led'), organizationId, environment, clientId, kind: p.kind, amount: p.amount, balanceAfter: after[i],
        paymentId: p.paymentId ?? null, refundId: p.refundId ?? null,
        reason: p.reason?.slice(0, 500) ?? null, actor: p.actor, idempotencyKey: p.idempotencyKey ?? null, requestHash: p.requestHash ?? null, at,
      });
    }
  }
  await tx.ledgerEntry.createMany({ data: entries.map((e) => ({ ...e, amount: e.amount.toFixed(), balanceAfter: e.balanceAfter.toFixed() })) });
  return entries;
}

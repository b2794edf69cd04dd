// Every movement of a balance goes through here: ledger entries (append-only) and the client's
// balance in the caller's transaction. One UPDATE per client and environment, guarded so that no
// balance goes below zero, and each entry carries the balance right after it.
import { Prisma } from '../../generated/prisma/client';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { balancesAfterEach, netOf } from '../../domain/ledger';
import { Decimal } from '../../domain/money';
import { insertSql } from '../common/sql';
import { triggerAutoTopUps, type Debited } from '../auto-top-up/trigger';
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
  if (!postings.length) return [];
  const byClient = new Map<string, Posting[]>();
  for (const p of postings) {
    const key = JSON.stringify([p.environment, p.organizationId, p.clientId]);
    byClient.set(key, [...(byClient.get(key) ?? []), p]);
  }
  const groups = [...byClient.keys()].sort().map((key) => byClient.get(key)!);
  const entries: PostedEntry[] = [];
  // Both balances live on the client's row: lock every row once, in one stable order, before any
  // environment's update (two batches then never hold each other's rows crosswise).
  await tx.$queryRaw`
    SELECT 1 FROM "Client" c JOIN unnest(${groups.map((g) => g[0].organizationId)}::text[], ${groups.map((g) => g[0].clientId)}::text[]) AS v(org, id)
        ON c."organizationId" = v.org AND c.id = v.id
     ORDER BY c."organizationId", c.id FOR UPDATE OF c`;
  // Taken under the locks, and ids ascending in posting order: a client's entries sort by (at, id)
  // in the order they moved the balance (allocations read them so).
  const at = new Date();
  const ids = postings.map(() => newId('led')).sort();
  for (const environment of ['LIVE', 'TEST'] as const) {
    const ofEnv = groups.filter((g) => g[0].environment === environment);
    if (!ofEnv.length) continue;
    const balances = await moveBalances(tx, environment, ofEnv.map((g) => ({ organizationId: g[0].organizationId, clientId: g[0].clientId, delta: netOf(g.map((p) => p.amount)) })));
    for (const group of ofEnv) {
      const { organizationId, clientId } = group[0];
      const after = balancesAfterEach(balances.get(`${organizationId} ${clientId}`)!, group.map((p) => p.amount));
      for (const [i, p] of group.entries()) {
        entries.push({
          id: ids[entries.length], organizationId, environment, clientId, kind: p.kind, amount: p.amount, balanceAfter: after[i],
          paymentId: p.paymentId ?? null, refundId: p.refundId ?? null,
          reason: p.reason?.slice(0, 500) ?? null, actor: p.actor, idempotencyKey: p.idempotencyKey ?? null, requestHash: p.requestHash ?? null, at,
        });
      }
    }
  }
  await tx.$executeRaw(insertSql('LedgerEntry', entries.map((e) => ({ ...e, amount: e.amount.toFixed(), balanceAfter: e.balanceAfter.toFixed() }))));
  // A debit may start an auto top-up: decided here, under the same locks and in the same transaction.
  const debited = new Map<string, Debited>();
  for (const e of entries) if (e.amount.isNegative()) debited.set(`${e.environment} ${e.organizationId} ${e.clientId}`, { organizationId: e.organizationId, environment: e.environment, clientId: e.clientId, entryId: e.id, balanceAfter: e.balanceAfter });
  await triggerAutoTopUps(tx, [...debited.values()]);
  return entries;
}

/**
 * Adds each delta to its client's balance (rows locked by the caller), whatever the number of
 * clients, in one guarded UPDATE. Returns each client's balance after; throws, changing nothing,
 * if any would go below zero.
 */
async function moveBalances(tx: Tx, environment: Environment, moves: readonly { organizationId: string; clientId: string; delta: Decimal }[]): Promise<Map<string, Decimal>> {
  const column = BALANCE_COLUMN[environment];
  const orgs = moves.map((m) => m.organizationId);
  const ids = moves.map((m) => m.clientId);
  const deltas = moves.map((m) => m.delta.toFixed());
  const rows = await tx.$queryRaw<{ organizationId: string; id: string; balance: string }[]>`
    UPDATE "Client" c SET ${column} = c.${column} + v.delta, "updatedAt" = now()
      FROM unnest(${orgs}::text[], ${ids}::text[], ${deltas}::numeric[]) AS v(org, id, delta)
     WHERE c."organizationId" = v.org AND c.id = v.id AND c.${column} + v.delta >= 0
    RETURNING c."organizationId", c.id, c.${column}::text AS balance`;
  const balances = new Map(rows.map((r) => [`${r.organizationId} ${r.id}`, new Decimal(r.balance)]));
  const short = moves.find((m) => !balances.has(`${m.organizationId} ${m.clientId}`));
  if (short) {
    const [current] = await tx.$queryRaw<{ balance: string }[]>`SELECT ${column}::text AS balance FROM "Client" WHERE "organizationId" = ${short.organizationId} AND id = ${short.clientId}`;
    if (!current) throw new Error(`client ${short.organizationId}/${short.clientId} not found`);
    throw new InsufficientBalance(short.clientId, new Decimal(current.balance));
  }
  return balances;
}

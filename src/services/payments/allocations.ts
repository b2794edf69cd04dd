// payment.allocations: which debits used up a top-up (domain/allocations.ts), read lazily and
// bounded. The balance right before the top-up's entry is what earlier credits still held, and
// debits use that up first whatever those credits were; so the ledger is read from the top-up
// on only, never past MAX_ALLOCATION_SCAN entries (a top-up not used up within them lists what
// those entries took), in one statement that stops at the entry by which the top-up is surely
// used up, and allocate() runs once on what it read.
import type { Ctx } from '../../context';
import { allocate, type AllocationEntry } from '../../domain/allocations';
import { Decimal, formatAmount } from '../../domain/money';
import type { LedgerKind } from '../../generated/prisma/enums';
import { Prisma } from '../../generated/prisma/client';
import { runSql } from '../common/sql';

export const MAX_ALLOCATION_SCAN = 5_000;

export interface AllocationView {
  ledgerEntryId: string;
  kind: LedgerKind;
  amount: string;
  at: Date;
}

interface Row { id: string; kind: LedgerKind; amount: string; at: Date; paymentId: string | null; opening: string | null }

/**
 * The top-up's entry (its `opening`: the balance before it) and the entries after it, in ledger
 * order. `reach` is a lower bound of what debits so far took from the earlier balance and the
 * credits queued from the top-up on: every debit, less what refunds may have taken from their own
 * payments' later credits (at most those credits). Once it reaches the earlier balance plus the
 * top-up, the top-up is used up: no entry past that one is returned.
 */
function windowSql(ctx: Ctx, paymentId: string): Prisma.Sql {
  return Prisma.sql`
    WITH credit AS (
      SELECT id, kind, amount, at, "paymentId", "clientId", GREATEST("balanceAfter" - amount, 0) + amount AS need FROM "LedgerEntry"
      WHERE "organizationId" = ${ctx.orgId} AND environment = ${ctx.env}::"Environment" AND "paymentId" = ${paymentId} AND kind = 'TOP_UP'
      LIMIT 1
    ), after AS (
      SELECT e.id, e.kind, e.amount, e.at, e."paymentId", credit.need,
             sum(CASE WHEN e.amount < 0 THEN -e.amount WHEN e.kind = 'TOP_UP' AND e."paymentId" IS NOT NULL THEN -e.amount ELSE 0 END)
               OVER (ORDER BY e.at, e.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM credit JOIN "LedgerEntry" e ON e."organizationId" = ${ctx.orgId} AND e.environment = ${ctx.env}::"Environment" AND e."clientId" = credit."clientId"
        AND e.at >= credit.at AND (e.at, e.id) > (credit.at, credit.id)
      ORDER BY e.at, e.id
      LIMIT ${MAX_ALLOCATION_SCAN}
    ), marked AS (
      SELECT *, bool_or(coalesce(reach, 0) >= need) OVER (ORDER BY at, id ROWS UNBOUNDED PRECEDING) AS done FROM after
    )
    SELECT 0 AS o, id, kind, amount::text AS amount, at, "paymentId", (need - amount)::text AS opening FROM credit
    UNION ALL
    SELECT 1, id, kind, amount::text, at, "paymentId", NULL FROM marked WHERE NOT done
    ORDER BY o, at, id`;
}

export async function paymentAllocations(ctx: Ctx, payment: { id: string; currency: string }): Promise<AllocationView[]> {
  const rows = await runSql<Row>(ctx.deps.pg, windowSql(ctx, payment.id));
  const credit = rows[0];
  if (!credit) return [];
  const entries = rows.map((e): AllocationEntry => ({ id: e.id, kind: e.kind, amount: new Decimal(e.amount), at: e.at, paymentId: e.paymentId }));
  const use = allocate(entries, new Decimal(credit.opening!)).get(credit.id)!;
  return use.allocations.map((a) => ({ ledgerEntryId: a.ledgerEntryId, kind: a.kind as LedgerKind, amount: formatAmount(a.amount, payment.currency), at: a.at }));
}

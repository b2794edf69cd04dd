// payment.allocations: which debits used up a top-up (domain/allocations.ts), read lazily and
// bounded. The balance right before the top-up's entry is what earlier credits still held, and
// debits use that up first whatever those credits were; so the ledger is read from the top-up
// on only, a page at a time, until the top-up is used up, and never past MAX_ALLOCATION_SCAN
// entries (a top-up not used up within them lists what those entries took).
import type { Ctx } from '../../context';
import { allocate, type AllocationEntry } from '../../domain/allocations';
import { Decimal, formatAmount } from '../../domain/money';
import type { LedgerKind } from '../../generated/prisma/enums';
import { owned } from '../common/scope';

export const MAX_ALLOCATION_SCAN = 5_000;
const PAGE = 500;

export interface AllocationView {
  ledgerEntryId: string;
  kind: LedgerKind;
  amount: string;
  at: Date;
}

export async function paymentAllocations(ctx: Ctx, payment: { id: string; currency: string }): Promise<AllocationView[]> {
  const credit = await ctx.deps.db.ledgerEntry.findFirst({ where: { ...owned(ctx), paymentId: payment.id, kind: 'TOP_UP' } });
  if (!credit) return [];
  const entry = (e: typeof credit): AllocationEntry => ({ id: e.id, kind: e.kind, amount: new Decimal(e.amount.toString()), at: e.at, paymentId: e.paymentId });
  const opening = new Decimal(credit.balanceAfter.toString()).minus(credit.amount.toString());
  const entries: AllocationEntry[] = [entry(credit)];
  let last = credit;
  for (;;) {
    const page = await ctx.deps.db.ledgerEntry.findMany({
      where: { ...owned(ctx), clientId: credit.clientId, OR: [{ at: { gt: last.at } }, { at: last.at, id: { gt: last.id } }] },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: Math.min(PAGE, MAX_ALLOCATION_SCAN - (entries.length - 1)),
    });
    entries.push(...page.map(entry));
    const use = allocate(entries, opening).get(credit.id)!;
    if (use.left.isZero() || page.length < PAGE || entries.length - 1 >= MAX_ALLOCATION_SCAN) {
      return use.allocations.map((a) => ({ ledgerEntryId: a.ledgerEntryId, kind: a.kind as LedgerKind, amount: formatAmount(a.amount, payment.currency), at: a.at }));
    }
    last = page.at(-1)!;
  }
}

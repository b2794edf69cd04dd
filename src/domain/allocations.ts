// What each credit of a balance was spent on, first in first out (docs/api.md "Back office"):
// credits queue in ledger order; each debit takes from the oldest credit not yet used up, except
// a refund of a payment, which takes from that payment's own credit first (what is left of it),
// and only the rest from the oldest. One environment's ledger of one client: TEST and LIVE
// balances are separate ledgers and never draw on each other.
import { Decimal } from './money';

export interface AllocationEntry {
  readonly id: string;
  readonly kind: string;
  /** Signed: + credit, − debit. */
  readonly amount: Decimal;
  readonly at: Date;
  /** A TOP_UP's payment, or the payment a REFUND gives money back for. */
  readonly paymentId: string | null;
}

/** A part of a debit taken from one credit. */
export interface Allocation {
  /** The debit's ledger entry. */
  readonly ledgerEntryId: string;
  readonly kind: string;
  /** Positive: how much of the credit the debit took. */
  readonly amount: Decimal;
  readonly at: Date;
}

export interface CreditUse {
  readonly allocations: Allocation[];
  /** What is left of the credit after the entries given. */
  readonly left: Decimal;
}

interface Credit { id: string; paymentId: string | null; left: Decimal; use: Allocation[] }

/**
 * Allocates every debit of `entries` (in ledger order) to the credits before it. `opening` is the
 * balance before the first entry: money of earlier credits, queued ahead of every credit given,
 * so debits use it up first (how a window of a long ledger is allocated exactly: see
 * services/payments/allocations.ts). A refund of a payment whose credit is not among the entries
 * is a debit like any other. Data that would overdraw (never, while the balance cannot go below
 * zero) allocates what there is and no more.
 */
export function allocate(entries: readonly AllocationEntry[], opening: Decimal = new Decimal(0)): Map<string, CreditUse> {
  const queue: Credit[] = [];
  const ownCredit = new Map<string, Credit>();
  let ahead = Decimal.max(opening, 0);
  let head = 0;
  for (const e of entries) {
    if (e.amount.gt(0)) {
      const credit: Credit = { id: e.id, paymentId: e.paymentId, left: e.amount, use: [] };
      queue.push(credit);
      if (e.kind === 'TOP_UP' && e.paymentId) ownCredit.set(e.paymentId, credit);
      continue;
    }
    let need = e.amount.negated();
    if (need.isZero()) continue;
    const take = (credit: Credit) => {
      const part = Decimal.min(need, credit.left);
      if (part.lte(0)) return;
      credit.left = credit.left.minus(part);
      credit.use.push({ ledgerEntryId: e.id, kind: e.kind, amount: part, at: e.at });
      need = need.minus(part);
    };
    const own = e.kind === 'REFUND' && e.paymentId ? ownCredit.get(e.paymentId) : undefined;
    if (own) take(own);
    if (need.gt(0) && ahead.gt(0)) {
      const part = Decimal.min(need, ahead);
      ahead = ahead.minus(part);
      need = need.minus(part);
    }
    while (need.gt(0) && head < queue.length) {
      take(queue[head]);
      if (queue[head].left.isZero()) head++;
      else break;
    }
  }
  return new Map(queue.map((c) => [c.id, { allocations: c.use, left: c.left }]));
}

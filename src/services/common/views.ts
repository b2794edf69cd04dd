// Shapes several use cases answer with: a cursor page, and a ledger entry as the API shows it.
import { formatAmount } from '../../domain/money';
import type { LedgerEntry } from '../../generated/prisma/client';
import type { LedgerKind } from '../../generated/prisma/enums';
import { encodeCursor } from './validate';

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `rows` were read with `take + 1`: one more than the page, to know whether another follows. */
export function toPage<R extends { id: string }, T>(rows: R[], take: number, node: (row: R) => T): Page<T> {
  const edges = rows.slice(0, take).map((r) => ({ cursor: encodeCursor(r.id), node: node(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
}

export interface LedgerEntryView {
  id: string;
  at: Date;
  kind: LedgerKind;
  amount: string;
  balanceAfter: string;
  paymentId: string | null;
  refundId: string | null;
  reason: string | null;
}

type Amount = { toString(): string };

export function toLedgerEntryView(e: Omit<LedgerEntry, 'amount' | 'balanceAfter'> & { amount: Amount; balanceAfter: Amount }, currency: string): LedgerEntryView {
  return {
    id: e.id, at: e.at, kind: e.kind, amount: formatAmount(e.amount, currency), balanceAfter: formatAmount(e.balanceAfter, currency),
    paymentId: e.paymentId, refundId: e.refundId, reason: e.reason,
  };
}

// Books confirmed payments on their clients' balances, a batch at a time, in the transaction of
// the outbox consumer that claimed their rows: the book says what, and the ledger postings (one
// balance update per client), history and events commit with the rows marked DONE. The unique
// TOP_UP entry per payment makes a second booking impossible, whatever else goes wrong.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { decide } from '../../domain/book';
import { applyDecisions } from '../book/persist';
import { afterCommit } from '../book/run';
import { loadPayments } from '../book/snapshot';
import { queueIncomeReceipts } from '../receipts/queue-receipts';

/** Returns what to do after commit. */
export async function creditPayments(deps: Deps, tx: Tx, paymentIds: readonly string[]): Promise<() => void> {
  const loaded = await loadPayments(tx, paymentIds);
  const items = paymentIds.map((id) => {
    const found = loaded.get(id);
    if (!found) throw new Error(`payment ${id} to credit not found`);
    return { row: found.row, decision: decide(found.snapshot, { kind: 'credit' }) };
  });
  const applied = await applyDecisions(tx, items, { actor: 'system:credit' });
  // Every payment credited, whatever made it (a top-up, a one-click or recurring charge), gets its receipt here.
  const credited = items.flatMap(({ row }, i) => {
    const posted = applied[i].posted.find((e) => e.amount.gt(0));
    return posted ? [{ i, row, amount: posted.amount }] : [];
  });
  const receipts = await queueIncomeReceipts(tx, credited);
  credited.forEach(({ i }, n) => applied[i].outbox.push(...receipts[n]));
  return () => {
    for (const [i, { row, decision }] of items.entries()) {
      const posted = applied[i].posted[0];
      if (posted) deps.log.info({ paymentId: row.id, clientId: row.clientId, amount: posted.amount.toFixed(), balanceAfter: posted.balanceAfter.toFixed() }, 'balance credited');
      afterCommit(deps, row.id, { decision, applied: applied[i] });
    }
  };
}

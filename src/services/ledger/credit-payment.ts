// Books a confirmed payment on the client's balance: the book says what, the ledger posting,
// balance and outbox row commit together. The unique TOP_UP entry per payment makes a second
// booking impossible, whatever BullMQ does (a job may run twice).
import type { Deps } from '../../context';
import { decide } from '../../domain/book';
import { applyDecision } from '../book/persist';
import { afterCommit } from '../book/run';
import { loadPayment } from '../book/snapshot';
import { claimOutbox, closeOutbox, markOutboxDone } from '../outbox/outbox';
import { isUniqueViolation } from '../common/db-errors';

export type Booked = 'booked' | 'already-booked';

export async function creditPayment(deps: Deps, key: string, paymentId: string): Promise<Booked> {
  try {
    const ran = await deps.db.$transaction(async (tx) => {
      if (!(await claimOutbox(tx, key))) return null;
      const loaded = (await loadPayment(tx, paymentId, { lock: false }))!;
      const decision = decide(loaded.snapshot, { kind: 'credit' });
      const applied = await applyDecision(tx, loaded.row, decision, { actor: 'system:credit' });
      await markOutboxDone(tx, key);
      deps.log.info({ paymentId, clientId: loaded.row.clientId, amount: loaded.snapshot.amount.toFixed(), balanceAfter: applied.posted[0]?.balanceAfter.toFixed() }, 'balance credited');
      return { decision, applied };
    });
    if (!ran) return 'already-booked';
    await afterCommit(deps, paymentId, ran);
    return 'booked';
  } catch (err) {
    // The ledger already has this credit: whatever ran before booked it. Close the outbox row.
    if (!isUniqueViolation(err)) throw err;
    await closeOutbox(deps.db, key);
    return 'already-booked';
  }
}

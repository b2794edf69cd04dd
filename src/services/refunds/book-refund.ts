// Books a refund the gateway accepted (the book decides: status, debit, shortfall), in the
// transaction of the outbox consumer that claimed its row.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { Decimal } from '../../domain/money';
import { decide } from '../../domain/book';
import { applyDecision } from '../book/persist';
import { afterCommit } from '../book/run';
import { loadPayment } from '../book/snapshot';
import { BALANCE_COLUMN } from '../ledger/post';
import { queueReturnReceipt } from '../receipts/queue-receipts';

/** Returns what to do after commit. */
export async function bookRefund(deps: Deps, tx: Tx, refundId: string): Promise<() => void> {
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
  const loaded = (await loadPayment(tx, refund.paymentId, { lock: true, refunds: true }))!;
  const { row } = loaded;
  const credited = (await tx.ledgerEntry.count({ where: { paymentId: row.id, kind: 'TOP_UP' } })) > 0;
  const [{ balance }] = await tx.$queryRaw<{ balance: string }[]>`
    SELECT ${BALANCE_COLUMN[row.environment]}::text AS balance FROM "Client" WHERE "organizationId" = ${row.organizationId} AND id = ${row.clientId} FOR UPDATE`;
  const decision = decide(loaded.snapshot, { kind: 'refund-booking', refundId, balance: new Decimal(balance), credited });
  const applied = await applyDecision(tx, row, decision, { actor: refund.actor, balance: new Decimal(balance) });
  // The money went back to the card whatever the balance could cover: the return receipt is for the refund's amount.
  applied.outbox.push(...await queueReturnReceipt(tx, row, { id: refund.id, amount: new Decimal(refund.amount.toString()) }));
  return () => {
    deps.log.info({ refundId, paymentId: row.id, posted: applied.posted[0]?.amount.toFixed() ?? '0' }, 'refund booked');
    afterCommit(deps, null, { decision, applied });
  };
}

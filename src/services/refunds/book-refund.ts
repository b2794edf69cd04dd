// Books a refund the gateway accepted (the book decides: status, debit, shortfall), in one
// transaction guarded by its outbox row.
import type { Deps } from '../../context';
import { Decimal } from '../../domain/money';
import { decide } from '../../domain/book';
import { applyDecision } from '../book/persist';
import { afterCommit } from '../book/run';
import { loadPayment } from '../book/snapshot';
import { BALANCE_COLUMN } from '../ledger/post';
import { claimOutbox, markOutboxDone } from '../outbox/outbox';

export async function bookRefund(deps: Deps, key: string, refundId: string): Promise<'booked' | 'already-booked'> {
  const ran = await deps.db.$transaction(async (tx) => {
    if (!(await claimOutbox(tx, key))) return null;
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
    const loaded = (await loadPayment(tx, refund.paymentId, { lock: true, refunds: true }))!;
    const { row } = loaded;
    const credited = (await tx.ledgerEntry.count({ where: { paymentId: row.id, kind: 'TOP_UP' } })) > 0;
    const [{ balance }] = await tx.$queryRaw<{ balance: string }[]>`
      SELECT ${BALANCE_COLUMN[row.environment]}::text AS balance FROM "Client" WHERE "organizationId" = ${row.organizationId} AND id = ${row.clientId} FOR UPDATE`;
    const decision = decide(loaded.snapshot, { kind: 'refund-booking', refundId, balance: new Decimal(balance), credited });
    const applied = await applyDecision(tx, row, decision, { actor: refund.actor, balance: new Decimal(balance) });
    await markOutboxDone(tx, key);
    deps.log.info({ refundId, paymentId: row.id, posted: applied.posted[0]?.amount.toFixed() ?? '0' }, 'refund booked');
    return { decision, applied };
  });
  if (!ran) return 'already-booked';
  await afterCommit(deps, null, ran);
  return 'booked';
}

// Books a confirmed payment on the client's balance: ledger entry, balance and outbox row in one
// transaction. The unique (paymentId, kind) ledger constraint makes a second booking impossible,
// whatever BullMQ does (a job may run twice).
import type { Deps } from '../../context';
import { newId } from '../../domain/ids';
import { SETTLED } from '../../domain/payment-state';
import { claimOutbox, markOutboxDone, publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { emitPaymentEvent } from '../webhooks/emit';
import { formatAmount } from '../../domain/money';
import { moveBalance } from './balance';
import { isUniqueViolation } from '../shared/db-errors';

export type Booked = 'booked' | 'already-booked';

export async function creditPayment(deps: Deps, key: string, paymentId: string): Promise<Booked> {
  const events: OutboxEntry[] = [];
  try {
    const booked = await deps.db.$transaction(async (tx) => {
      if (!(await claimOutbox(tx, key))) return 'already-booked' as const;
      const p = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
      if (!SETTLED.includes(p.status)) throw new Error(`payment ${paymentId} is ${p.status}, not confirmed: nothing to credit`);
      const amount = p.amount.toString();
      const balanceAfter = await moveBalance(tx, p.organizationId, p.clientId, amount);
      await tx.ledgerEntry.create({
        data: {
          id: newId('led'), organizationId: p.organizationId, clientId: p.clientId, kind: 'TOP_UP', amount, balanceAfter,
          paymentId: p.id, actor: 'system:credit', reason: `top-up ${p.id}`,
        },
      });
      await markOutboxDone(tx, key);
      events.push(await emitPaymentEvent(tx, 'PAYMENT_RECEIVED', p, { balanceAfter: formatAmount(balanceAfter, p.currency) }));
      deps.log.info({ paymentId, clientId: p.clientId, amount, balanceAfter }, 'balance credited');
      return 'booked' as const;
    });
    await publishOutbox(deps, events);
    return booked;
  } catch (err) {
    // The ledger already has this credit: whatever ran before booked it. Close the outbox row.
    if (!isUniqueViolation(err)) throw err;
    await deps.db.outbox.updateMany({ where: { key, status: 'PENDING' }, data: { status: 'DONE', processedAt: new Date() } });
    return 'already-booked';
  }
}

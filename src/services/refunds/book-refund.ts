// Books a refund the gateway accepted: the payment's refunded amount and status, and the debit of
// the client's balance. What the balance cannot cover (already spent) is the refund's shortfall,
// left for manual handling: the balance never goes below zero. One transaction, outbox-guarded.
import type { Deps } from '../../context';
import { newId } from '../../domain/ids';
import { Decimal, formatAmount } from '../../domain/money';
import { moveBalance } from '../ledger/balance';
import { claimOutbox, markOutboxDone, publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { emitPaymentEvent } from '../webhooks/emit';
import { changeStatus, lockPayment } from '../payments/change-status';

export async function bookRefund(deps: Deps, key: string, refundId: string): Promise<'booked' | 'already-booked'> {
  const events: OutboxEntry[] = [];
  const booked = await deps.db.$transaction(async (tx) => {
    if (!(await claimOutbox(tx, key))) return 'already-booked' as const;
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
    const p = (await lockPayment(tx, refund.paymentId))!;
    // The credit is booked by its own job; a refund must not be booked before it (the shortfall
    // would be wrong). Failing here retries the job until it is.
    const credited = await tx.ledgerEntry.findUnique({ where: { paymentId_kind: { paymentId: p.id, kind: 'TOP_UP' } } });
    if (!credited) throw new Error(`payment ${p.id} is not credited yet; refund ${refundId} waits`);

    const amount = new Decimal(refund.amount.toString());
    const refunded = new Decimal(p.refundedAmount.toString()).plus(amount);
    const to = refunded.gte(p.amount.toString()) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';

    const [{ balance }] = await tx.$queryRaw<{ balance: string }[]>`
      SELECT balance::text AS balance FROM "Client" WHERE "organizationId" = ${p.organizationId} AND id = ${p.clientId} FOR UPDATE`;
    const debit = Decimal.min(new Decimal(balance), amount);
    const shortfall = amount.minus(debit);
    if (debit.gt(0)) {
      const balanceAfter = await moveBalance(tx, p.organizationId, p.clientId, debit.negated().toFixed());
      await tx.ledgerEntry.create({
        data: {
          id: newId('led'), organizationId: p.organizationId, clientId: p.clientId, kind: 'REFUND', amount: debit.negated().toFixed(),
          balanceAfter, paymentId: null, refundId: refund.id, actor: refund.actor, reason: refund.reason ?? `refund of ${p.id}`,
        },
      });
    }
    await tx.refund.update({ where: { id: refund.id }, data: { shortfall: shortfall.toFixed() } });
    const [{ balance: balanceAfter }] = await tx.$queryRaw<{ balance: string }[]>`
      SELECT balance::text AS balance FROM "Client" WHERE "organizationId" = ${p.organizationId} AND id = ${p.clientId}`;
    const note = shortfall.gt(0) ? `; ${formatAmount(shortfall, p.currency)} already spent: shortfall for manual handling` : '';
    const updated = await changeStatus(tx, p, {
      to, cause: 'system', actor: refund.actor,
      reason: `refund ${refund.id} of ${formatAmount(amount, p.currency)} ${p.currency}${note}`,
      data: { refundId: refund.id, shortfall: shortfall.toFixed() },
      patch: { refundedAmount: refunded.toFixed() },
    });
    await markOutboxDone(tx, key);
    events.push(await emitPaymentEvent(tx, 'PAYMENT_REFUNDED', updated, {
      refund: { id: refund.id, amount: formatAmount(amount, p.currency), shortfall: formatAmount(shortfall, p.currency), reason: refund.reason },
      balanceAfter: formatAmount(balanceAfter, p.currency),
    }));
    deps.log.info({ refundId, paymentId: p.id, debit: debit.toFixed(), shortfall: shortfall.toFixed() }, 'refund booked');
    return 'booked' as const;
  });
  await publishOutbox(deps, events);
  return booked;
}

// Books a confirmed payment on the client's balance: ledger entry, balance and outbox row in one
// transaction. The unique (paymentId, kind) ledger constraint makes a second booking impossible,
// whatever BullMQ does (a job may run twice).
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { SETTLED } from '../../domain/payment-state';
import { isUniqueViolation } from '../shared/db-errors';

export type Booked = 'booked' | 'already-booked';

/** Locks the outbox row; null when it is already DONE (or gone). */
export async function claimOutbox(tx: Tx, key: string) {
  await tx.$executeRaw`SELECT 1 FROM "Outbox" WHERE key = ${key} FOR UPDATE`;
  const row = await tx.outbox.findUnique({ where: { key } });
  return row?.status === 'PENDING' ? row : null;
}

export async function markOutboxDone(tx: Tx, key: string) {
  await tx.outbox.update({ where: { key }, data: { status: 'DONE', processedAt: new Date() } });
}

/** Adds to the client's balance under its row lock and returns the new balance. */
export async function moveBalance(tx: Tx, orgId: string, clientId: string, delta: string): Promise<string> {
  const rows = await tx.$queryRaw<{ balance: string }[]>`
    UPDATE "Client" SET balance = balance + ${delta}::numeric, "updatedAt" = now()
    WHERE "organizationId" = ${orgId} AND id = ${clientId}
    RETURNING balance::text AS balance`;
  if (!rows.length) throw new Error(`client ${orgId}/${clientId} not found`);
  return rows[0].balance;
}

export async function creditPayment(deps: Deps, key: string, paymentId: string): Promise<Booked> {
  try {
    return await deps.db.$transaction(async (tx) => {
      if (!(await claimOutbox(tx, key))) return 'already-booked';
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
      deps.log.info({ paymentId, clientId: p.clientId, amount, balanceAfter }, 'balance credited');
      return 'booked' as const;
    });
  } catch (err) {
    // The ledger already has this credit: whatever ran before booked it. Close the outbox row.
    if (!isUniqueViolation(err)) throw err;
    await deps.db.outbox.updateMany({ where: { key, status: 'PENDING' }, data: { status: 'DONE', processedAt: new Date() } });
    return 'already-booked';
  }
}

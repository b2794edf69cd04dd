// Reading receipts and retrying a refused one, scoped to the key's organization and environment.
import type { Ctx } from '../../context';
import { AppError, notFound } from '../../domain/errors';
import { addOutbox } from '../outbox/outbox';
import { owned } from '../common/scope';
import { spendMovementKey } from './queue-receipts';
import { toReceiptView, type ReceiptView } from './receipt-view';

export async function paymentReceipts(ctx: Ctx, paymentId: string): Promise<ReceiptView[]> {
  const rows = await ctx.deps.db.receipt.findMany({ where: { ...owned(ctx), paymentId }, orderBy: { createdAt: 'asc' } });
  return rows.map(toReceiptView);
}

/** The full-settlement receipt of a spend (debitBalance with items); null for any other entry. */
export async function spendReceipt(ctx: Ctx, ledgerEntryId: string): Promise<ReceiptView | null> {
  const row = await ctx.deps.db.receipt.findUnique({ where: { organizationId_movementKey_type: { organizationId: ctx.orgId, movementKey: spendMovementKey(ledgerEntryId), type: 'INCOME' } } });
  return row && row.environment === ctx.env ? toReceiptView(row) : null;
}

/**
 * Sends a FAILED receipt again (after its cause, e.g. the INN, is fixed): PENDING with a new
 * attempt number, so the register sees a new request. Retrying one already PENDING again is the
 * same retry (idempotent); an ISSUED one is a CONFLICT.
 */
export async function retryReceipt(ctx: Ctx, id: string): Promise<ReceiptView> {
  const { row, queued } = await ctx.deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Receipt" WHERE id = ${id} AND "organizationId" = ${ctx.orgId} AND environment = ${ctx.env}::"Environment" FOR UPDATE`;
    if (!locked) throw notFound('receipt', id);
    const r = await tx.receipt.findUniqueOrThrow({ where: { id } });
    if (r.status === 'ISSUED') throw new AppError('CONFLICT', `receipt ${id} is already issued`);
    if (r.status === 'PENDING') {
      // Being sent, or taken by the register (it has its id): the same retry. Only one whose issue
      // row ran out of attempts before the register took it is sent again.
      const sending = await tx.outbox.count({ where: { key: `receipt-${id}-${r.attempt}`, status: 'PENDING' } });
      if (sending || r.externalId) return { row: r, queued: [] };
    }
    if (!Array.isArray((r.request as { Items?: unknown } | null)?.Items)) throw new AppError('CONFLICT', `receipt ${id} cannot be sent: ${r.error ?? 'it could not be built'}`);
    const attempt = r.attempt + 1;
    const row = await tx.receipt.update({ where: { id }, data: { status: 'PENDING', attempt, externalId: null, error: null } });
    const queued = await addOutbox(tx, [{ key: `receipt-${id}-${attempt}`, kind: 'receipt.issue', organizationId: r.organizationId, payload: { receiptId: id } }]);
    return { row, queued };
  });
  if (queued.length) ctx.deps.outboxSignal.notify(queued.map((e) => e.kind));
  ctx.log.info({ receiptId: id }, 'receipt retried');
  return toReceiptView(row);
}

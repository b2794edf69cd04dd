// editPayment: staff corrections of a payment's descriptive fields, each edit one history entry
// (kind EDIT) with the actor and every change (field, before, after), in the transaction that
// makes it. An edit that changes nothing writes nothing.
import type { Ctx } from '../../context';
import { AppError } from '../../domain/errors';
import { changesOf, checkEdit, type EditInput } from './payment-edit';
import { toPaymentView, type PaymentView } from './view';
import { backOfficeOf, type BackOfficeFields } from './list-payments';

export async function editPayment(ctx: Ctx, id: string, input: EditInput): Promise<PaymentView & { backOffice: BackOfficeFields }> {
  const patch = checkEdit(input);
  const row = await ctx.deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Payment" WHERE id = ${id} AND "organizationId" = ${ctx.orgId} AND environment = ${ctx.env}::"Environment" FOR UPDATE`;
    if (!locked) throw new AppError('NOT_FOUND', `payment ${id} not found`);
    const current = await tx.payment.findUniqueOrThrow({ where: { id } });
    const changes = changesOf({ ...current, tags: current.tags ?? [] }, patch);
    if (!changes.length) return current;
    await tx.paymentEvent.create({
      data: {
        paymentId: id, fromStatus: current.status, toStatus: current.status, actor: ctx.actor, code: 'EDIT',
        reason: `edited ${changes.map((c) => c.field).join(', ')}`.slice(0, 500),
        data: { changes: changes.map((c) => ({ ...c })), ...(ctx.actorName ? { actorName: ctx.actorName } : {}) },
      },
    });
    return tx.payment.update({ where: { id }, data: patch });
  });
  ctx.log.info({ paymentId: id, fields: Object.keys(patch) }, 'payment edited');
  return { ...toPaymentView(row), backOffice: backOfficeOf(row) };
}

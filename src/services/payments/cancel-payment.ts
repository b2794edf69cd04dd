// cancelPayment: a PENDING payment is closed here and its payment page cancelled at the gateway;
// an AUTHORIZED one is voided (its held money released).
import type { Ctx } from '../../context';
import { badInput, notFound } from '../../domain/errors';
import { REFUNDABLE } from '../../domain/payment-state';
import { loadGateway } from '../gateways/load-gateway';
import { changeStatus, lockPayment } from './change-status';
import { publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { voidPayment } from './two-stage';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

export async function cancelPayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const events: OutboxEntry[] = [];
  const result = await ctx.deps.db.$transaction(async (tx) => {
    const p = await lockPayment(tx, id);
    if (!p || p.organizationId !== ctx.orgId) throw notFound('payment', id);
    if (p.status === 'CANCELLED') return { payment: p, changed: false, authorized: false };
    if (p.status === 'AUTHORIZED') return { payment: p, changed: false, authorized: true };
    if (p.status !== 'PENDING') {
      throw badInput(`payment ${id} is ${p.status} and cannot be cancelled${REFUNDABLE.includes(p.status) ? '; refund it instead' : ''}`, 'id');
    }
    const payment = await changeStatus(tx, p, { to: 'CANCELLED', cause: 'api', actor: ctx.actor, reason: 'cancelled by the API', patch: { failureCode: 'CANCELLED', failureReason: 'cancelled by the API' }, events });
    return { payment, changed: true, authorized: false };
  });
  // The money is held at the gateway: cancelling is releasing it.
  if (result.authorized) return voidPayment(ctx, id);
  await publishOutbox(ctx.deps, events);
  if (result.changed) {
    // After commit: should the client pay in the meantime, the verified Pay revives the payment.
    const gateway = await loadGateway(ctx.deps, result.payment.gatewayId);
    const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: result.payment.clientId } } });
    if (gateway && !gateway.unavailable) await gateway.adapter.cancel(gateway.env, gateway.creds, toGatewayPayment(result.payment, client?.email ?? null)).catch((err) => {
      ctx.log.warn({ err, paymentId: id }, 'could not cancel the payment page at the gateway');
    });
  }
  return toPaymentView(result.payment);
}

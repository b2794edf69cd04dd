// cancelPayment: a PENDING payment is closed here and its payment page cancelled at the gateway;
// an AUTHORIZED one is voided (its held money released).
import type { Ctx } from '../../context';
import { notFound } from '../../domain/errors';
import { refused, runBook } from '../book/run';
import { loadGateway } from '../gateways/load-gateway';
import { voidPayment } from './two-stage';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';
import { owned } from '../common/scope';
import type { Payment } from '../../generated/prisma/client';

export async function cancelPayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const ran = await runBook(ctx.deps, id, { kind: 'cancel' }, { who: { actor: ctx.actor }, owner: owned(ctx) });
  if (!ran) throw notFound('payment', id);
  if (ran.decision.refusal) throw refused(ran.decision.refusal);
  const asks = new Set(ran.applied.asks.map((a) => a.action));
  if (asks.has('void')) return voidPayment(ctx, id);
  if (asks.has('cancel-page')) await cancelPageAtGateway(ctx, ran.applied.payment);
  return toPaymentView(ran.applied.payment);
}

/**
 * After the payment was closed here (committed): its payment page at the gateway. Should the
 * client pay in the meantime, the verified Pay revives the payment; a gateway that cannot be
 * reached is logged, not retried (its page expires on its own).
 */
export async function cancelPageAtGateway(ctx: Ctx, payment: Payment): Promise<void> {
  const gateway = await loadGateway(ctx.deps, payment.gatewayId);
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: payment.clientId } } });
  if (!gateway || gateway.unavailable) return;
  await gateway.adapter.cancel(gateway.env, gateway.creds, toGatewayPayment(payment, client?.email ?? null)).catch((err) => {
    ctx.log.warn({ err, paymentId: payment.id }, 'could not cancel the payment page at the gateway');
  });
}

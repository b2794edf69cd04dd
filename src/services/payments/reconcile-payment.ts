// Asks the gateway what became of a payment and applies what its callbacks did not tell us:
// a lost Pay still ends in a credited balance, with history saying "reconciled".
import type { Ctx, Deps } from '../../context';
import type { Source } from '../../domain/book';
import { AppError, notFound } from '../../domain/errors';
import type { GatewayPaymentState } from '../../domain/gateway-events';
import { RECONCILABLE } from '../../domain/payment-state';
import { GatewayError } from '../../gateways/types';
import { gatewayForOperation, loadGateway } from '../gateways/load-gateway';
import { applyGatewayState } from './gateway-word';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';
import { owned } from '../common/scope';

/** Returns what the gateway said; throws GatewayError when it did not answer. */
export async function reconcileWithGateway(deps: Deps, paymentId: string, actor: string, source: Source = 'reconciliation'): Promise<GatewayPaymentState | null> {
  const payment = await deps.db.payment.findUnique({ where: { id: paymentId }, include: { client: { select: { email: true } } } });
  if (!payment || !RECONCILABLE.includes(payment.status)) return null;
  const gateway = await loadGateway(deps, payment.gatewayId);
  if (!gateway || gateway.unavailable) return null;
  const state = await gateway.adapter.getPayment(gateway.env, gateway.creds, toGatewayPayment(payment, payment.client.email));
  await applyGatewayState(deps, payment, state, actor, source);
  return state;
}

/** reconcilePayment: what support staff press when a client says "I paid". */
export async function reconcilePayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const payment = await ctx.deps.db.payment.findFirst({ where: { id, ...owned(ctx) } });
  if (!payment) throw notFound('payment', id);
  await gatewayForOperation(ctx.deps, payment.gatewayId); // says why when this server cannot ask it
  try {
    await reconcileWithGateway(ctx.deps, id, ctx.actor);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new AppError('GATEWAY_ERROR', `the gateway did not answer: ${err.message}`, { cause: err });
  }
  return toPaymentView(await ctx.deps.db.payment.findUniqueOrThrow({ where: { id } }));
}

// Asks the gateway what became of a payment and applies what its callbacks did not tell us:
// a lost Pay still ends in a credited balance, with history saying "reconciled".
import type { Ctx, Deps } from '../../context';
import { AppError, notFound } from '../../domain/errors';
import { RECONCILABLE } from '../../domain/payment-state';
import type { GatewayPaymentState } from '../../gateways/types';
import type { Payment } from '../../generated/prisma/client';
import { GatewayError } from '../../gateways/types';
import { gatewayForOperation, loadGateway } from '../gateways/load-gateway';
import { applyGatewayEvent } from './handle-gateway-event';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

const HOW = 'reconciled with the gateway';

/** Returns what the gateway said; throws GatewayError when it did not answer. */
export async function reconcileWithGateway(deps: Deps, paymentId: string, actor: string, how = HOW): Promise<GatewayPaymentState | null> {
  const payment = await deps.db.payment.findUnique({ where: { id: paymentId }, include: { client: { select: { email: true } } } });
  if (!payment || !RECONCILABLE.includes(payment.status)) return null;
  const gateway = await loadGateway(deps, payment.gatewayId);
  if (!gateway || gateway.unavailable) return null;
  const state = await gateway.adapter.getPayment(gateway.env, gateway.creds, toGatewayPayment(payment, payment.client.email));
  await applyState(deps, payment, state, actor, how);
  return state;
}

/** Applies what the gateway says about a payment (from getPayment or a batch getPayments). */
export async function applyState(deps: Deps, payment: Payment, state: GatewayPaymentState, actor: string, how = HOW): Promise<void> {
  const gatewayId = payment.gatewayId;
  const base = { invoiceId: payment.id, accountId: payment.clientId };
  switch (state.status) {
    case 'confirmed':
    case 'authorized':
      await applyGatewayEvent(deps, gatewayId, actor, { kind: state.status, ...base, amount: state.amount, currency: state.currency, transactionId: state.transactionId }, undefined, how);
      break;
    case 'cancelled':
      if (payment.status === 'AUTHORIZED' && payment.gatewayTransactionId) {
        await applyGatewayEvent(deps, gatewayId, actor, { kind: 'cancelled', ...base, transactionId: payment.gatewayTransactionId, amount: payment.amount.toString() }, undefined, how);
      }
      break;
    case 'failed':
      if (payment.status === 'PENDING' && state.transactionId) {
        await applyGatewayEvent(deps, gatewayId, actor, { kind: 'failed', ...base, amount: payment.amount.toString(), transactionId: state.transactionId, reason: state.reason, reasonCode: state.reasonCode }, undefined, how);
      }
      break;
    case 'pending':
    case 'unpaid':
    case 'unknown':
      break;
    default: {
      const exhaustive: never = state;
      void exhaustive;
    }
  }
}

/** reconcilePayment: what support staff press when a client says "I paid". */
export async function reconcilePayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const payment = await ctx.deps.db.payment.findFirst({ where: { id, organizationId: ctx.orgId } });
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

// A PENDING payment past its expiry: ask the gateway first (a lost Pay must still end credited),
// then cancel it at the gateway and here.
import type { Deps } from '../../context';
import { keepForAuthentication } from '../../domain/book';
import { EXPIRABLE } from '../../domain/payment-state';
import { GatewayError } from '../../gateways/types';
import { runBook } from '../book/run';
import { loadGateway } from '../gateways/load-gateway';
import { applyGatewayState } from './gateway-word';
import { toGatewayPayment } from './view';

export type ExpiryResult = 'expired' | 'paid' | 'kept' | 'skipped';

const ACTOR = 'system:expiry';

export async function expirePayment(deps: Deps, paymentId: string): Promise<ExpiryResult> {
  const payment = await deps.db.payment.findUnique({ where: { id: paymentId }, include: { client: { select: { email: true } } } });
  if (!payment || !EXPIRABLE.includes(payment.status) || payment.expiresAt > new Date()) return 'skipped';
  const gateway = await loadGateway(deps, payment.gatewayId);
  if (!gateway) return 'skipped';
  // A gateway this server cannot reach at all (the sandbox switched off) sends no Pay either.
  if (gateway.unavailable) return close(deps, paymentId, `expired unpaid (${gateway.unavailable})`);
  const ref = toGatewayPayment(payment, payment.client.email);

  let state;
  try {
    state = await gateway.adapter.getPayment(gateway.env, gateway.creds, ref);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    deps.log.warn({ err, paymentId }, 'expiry: the gateway did not answer; trying again on a later run');
    await touch(deps, paymentId);
    return 'kept';
  }
  const ran = await applyGatewayState(deps, payment, state, ACTOR, 'expiry');
  if (state.status === 'confirmed' || state.status === 'authorized') return 'paid';
  if (state.status === 'pending' && ran && keepForAuthentication(ran.snapshot, new Date())) {
    await touch(deps, paymentId);
    return 'kept';
  }
  try {
    await gateway.adapter.cancel(gateway.env, gateway.creds, ref);
  } catch (err) {
    // Cancelling the page is a courtesy: a Pay that still comes in revives the payment.
    deps.log.warn({ err, paymentId }, 'expiry: could not cancel the payment page at the gateway');
  }
  return close(deps, paymentId);
}

async function close(deps: Deps, paymentId: string, reason?: string): Promise<ExpiryResult> {
  const ran = await runBook(deps, paymentId, { kind: 'expire', reason }, { who: { actor: ACTOR } });
  return ran?.decision.change ? 'expired' : 'skipped';
}

/** Looked at: to the back of the line. */
const touch = (deps: Deps, paymentId: string) => deps.db.payment.update({ where: { id: paymentId }, data: { updatedAt: new Date() } });

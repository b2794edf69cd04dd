// A PENDING payment past its expiry: ask the gateway first (a lost Pay must still end credited),
// then cancel it at the gateway and here.
import type { Deps } from '../../context';
import { GatewayError } from '../../gateways/types';
import { loadGateway } from '../gateways/load-gateway';
import { changeStatus, lockPayment } from './change-status';
import { publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { applyState } from './reconcile-payment';
import { toGatewayPayment } from './view';

/** A payer at the 3-D Secure step when time ran out gets this long to finish. */
const AUTHENTICATION_GRACE_MS = 15 * 60_000;

export type ExpiryResult = 'expired' | 'paid' | 'kept' | 'skipped';

export async function expirePayment(deps: Deps, paymentId: string): Promise<ExpiryResult> {
  const payment = await deps.db.payment.findUnique({ where: { id: paymentId }, include: { client: { select: { email: true } } } });
  if (!payment || payment.status !== 'PENDING' || payment.expiresAt > new Date()) return 'skipped';
  const gateway = await loadGateway(deps, payment.gatewayId);
  if (!gateway) return 'skipped';
  const actor = 'system:expiry';
  // A gateway this server cannot reach at all (the sandbox switched off) sends no Pay either.
  if (gateway.unavailable) return closeExpired(deps, paymentId, actor, `expired unpaid (${gateway.unavailable})`);
  const ref = toGatewayPayment(payment, payment.client.email);

  let state;
  try {
    state = await gateway.adapter.getPayment(gateway.env, gateway.creds, ref);
    await applyState(deps, payment, state, actor, 'reconciled with the gateway at expiry');
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    deps.log.warn({ err, paymentId }, 'expiry: the gateway did not answer; trying again on a later run');
    await deps.db.payment.update({ where: { id: paymentId }, data: { updatedAt: new Date() } });
    return 'kept';
  }
  if (state.status === 'confirmed' || state.status === 'authorized') return 'paid';
  if (state.status === 'pending' && Date.now() - payment.expiresAt.getTime() < AUTHENTICATION_GRACE_MS) {
    await deps.db.payment.update({ where: { id: paymentId }, data: { updatedAt: new Date() } });
    return 'kept';
  }

  try {
    await gateway.adapter.cancel(gateway.env, gateway.creds, ref);
  } catch (err) {
    // Cancelling the page is a courtesy: a Pay that still comes in revives the payment.
    deps.log.warn({ err, paymentId }, 'expiry: could not cancel the payment page at the gateway');
  }
  return closeExpired(deps, paymentId, actor, 'expired unpaid');
}

async function closeExpired(deps: Deps, paymentId: string, actor: string, reason: string): Promise<ExpiryResult> {
  const events: OutboxEntry[] = [];
  const result = await deps.db.$transaction(async (tx) => {
    const p = await lockPayment(tx, paymentId);
    if (p?.status !== 'PENDING') return 'skipped' as const;
    await changeStatus(tx, p, {
      to: 'CANCELLED', cause: 'system', actor, reason, events,
      patch: { failureCode: 'EXPIRED', failureReason: 'the payment expired before it was paid' },
    });
    return 'expired' as const;
  });
  await publishOutbox(deps, events);
  return result;
}

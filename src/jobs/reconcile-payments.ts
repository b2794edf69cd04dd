// Asks the gateway about payments whose callbacks may have been lost (which ones: the domain's
// RECONCILE_UNPROMPTED). Expired unpaid payments are the expiry job's.
import { z } from 'zod';
import type { Deps } from '../context';
import { RECONCILE_UNPROMPTED } from '../domain/payment-state';
import { defineJob } from './definition';
import { applyGatewayState } from '../services/payments/gateway-word';
import { reconcileWithGateway } from '../services/payments/reconcile-payment';
import { loadGateway } from '../services/gateways/load-gateway';
import { toGatewayPayment } from '../services/payments/view';

export const RECONCILE_EVERY_MS = 5 * 60_000;
const BATCH = 100;
const RUN_BUDGET_MS = 60_000;

export async function reconcilePayments(deps: Deps): Promise<number> {
  const now = Date.now();
  const { unpaid, held } = RECONCILE_UNPROMPTED;
  const due = await deps.db.payment.findMany({
    where: {
      OR: [
        { status: unpaid.status, expiresAt: { gt: new Date(now), lt: new Date(now + unpaid.withinMsOfExpiry) } },
        { status: held.status, authorizedAt: { lt: new Date(now - held.heldLongerThanMs) } },
      ],
    },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
    select: { id: true, gatewayId: true },
  }).then((rows) => rows.flatMap((r) => (r.gatewayId ? [{ id: r.id, gatewayId: r.gatewayId }] : [])));
  let asked = 0;
  // Gateways that answer for many payments at once (getPayments) are asked once per gateway.
  const batched = new Set<string>();
  for (const gatewayId of new Set(due.map((d) => d.gatewayId))) {
    const ids = due.filter((d) => d.gatewayId === gatewayId).map((d) => d.id);
    try {
      const gateway = await loadGateway(deps, gatewayId);
      if (!gateway || gateway.unavailable || !gateway.adapter.getPayments) continue;
      batched.add(gatewayId);
      const payments = await deps.db.payment.findMany({ where: { id: { in: ids } }, include: { client: { select: { email: true } } } });
      const states = await gateway.adapter.getPayments(gateway.env, gateway.creds, payments.map((p) => toGatewayPayment(p, p.client.email)));
      for (const p of payments) {
        const state = states.get(p.id);
        if (state) await applyGatewayState(deps, p, state, 'system:reconcile', 'reconciliation').catch((err) => deps.log.error({ err, paymentId: p.id }, 'reconciliation could not apply what the gateway said'));
        asked++;
      }
    } catch (err) {
      batched.add(gatewayId);
      deps.log.warn({ err, gatewayId }, 'reconciliation: the gateway did not answer');
    }
    await deps.db.payment.updateMany({ where: { id: { in: ids } }, data: { updatedAt: new Date() } });
  }
  for (const { id, gatewayId } of due) {
    if (batched.has(gatewayId)) continue;
    if (Date.now() - now > RUN_BUDGET_MS) break;
    try {
      await reconcileWithGateway(deps, id, 'system:reconcile');
      asked++;
    } catch (err) {
      deps.log.warn({ err, paymentId: id }, 'reconciliation: the gateway did not answer');
    }
    await deps.db.payment.update({ where: { id }, data: { updatedAt: new Date() } });
  }
  return asked;
}

export const reconcilePaymentsJob = defineJob({ name: 'reconcile-payments', queue: 'maintenance', schema: z.unknown(), every: RECONCILE_EVERY_MS, handler: reconcilePayments });

// markPaymentPaid: a gateway payment that never moved money (PENDING, FAILED, CANCELLED) whose
// money provably came another way. Its order at the gateway is cancelled first (so the client
// cannot pay it there too) and the gateway asked what it holds (a Pay that is late or lost is
// applied now: then the payment is paid, not marked paid); then the book confirms it as a staff
// action and it is credited like a paid one. If the gateway's Pay comes anyway, the book records
// a double payment (never credited): see domain/book/staff.ts.
import type { Ctx } from '../../context';
import { decide } from '../../domain/book';
import { AppError, notFound } from '../../domain/errors';
import { GatewayError } from '../../gateways/types';
import { refused, runBook } from '../book/run';
import { loadPayment } from '../book/snapshot';
import { owned } from '../common/scope';
import { optionalText, text } from '../common/validate';
import { loadGateway } from '../gateways/load-gateway';
import { applyGatewayState } from './gateway-word';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

export async function markPaymentPaid(ctx: Ctx, id: string, input: { reason: string; documentNumber?: string | null }): Promise<PaymentView> {
  const reason = text(input.reason, 'reason', 500);
  const documentNumber = optionalText(input.documentNumber, 'documentNumber', 64) ?? null;
  const ask = () => ({ kind: 'mark-paid' as const, reason, documentNumber, now: new Date() });

  // Asked first, without a lock: a payment that cannot be marked paid is never cancelled at its gateway.
  const peek = await ctx.deps.db.$transaction(async (tx) => {
    const loaded = await loadPayment(tx, id, { lock: false });
    if (!loaded || loaded.row.organizationId !== ctx.orgId || loaded.row.environment !== ctx.env) return null;
    return { row: loaded.row, decision: decide(loaded.snapshot, ask()) };
  });
  if (!peek) throw notFound('payment', id);
  if (peek.decision.refusal) throw refused(peek.decision.refusal);
  if (!peek.decision.change) return toPaymentView(peek.row); // marked paid already

  const gateway = await loadGateway(ctx.deps, peek.row.gatewayId);
  if (gateway && !gateway.unavailable) {
    const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: peek.row.clientId } }, select: { email: true } });
    const ref = toGatewayPayment(peek.row, client?.email ?? null);
    try {
      await gateway.adapter.cancel(gateway.env, gateway.creds, ref);
      await applyGatewayState(ctx.deps, peek.row, await gateway.adapter.getPayment(gateway.env, gateway.creds, ref), ctx.actor, 'reconciliation');
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} did not answer (${err.message}): the payment was not marked paid; try again`, { cause: err });
    }
  }
  const ran = await runBook(ctx.deps, id, ask(), { who: { actor: ctx.actor }, owner: owned(ctx) });
  if (!ran) throw notFound('payment', id);
  // The gateway's Pay may have come meanwhile: then it is paid, and not marked paid.
  if (ran.decision.refusal) throw refused(ran.decision.refusal);
  ctx.log.info({ paymentId: id }, 'payment marked paid by staff');
  return toPaymentView(ran.applied.payment);
}

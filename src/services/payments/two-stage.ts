// Two-stage payments: an AUTHORIZED payment holds the client's money at the gateway until it is
// captured (all or part) or voided. The gateway's answer decides; its Confirm/Cancel notification,
// which may come first, finds the work done and changes nothing.
import type { Ctx } from '../../context';
import { AppError, badInput, notFound } from '../../domain/errors';
import { Decimal, formatAmount, parseAmount } from '../../domain/money';
import { SETTLED } from '../../domain/payment-state';
import { GatewayError, type OperationResult } from '../../gateways/types';
import { gatewayForOperation, type LoadedGateway } from '../gateways/load-gateway';
import { addOutbox, publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { changeStatus, lockPayment, recordEvent } from './change-status';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

async function authorizedPayment(ctx: Ctx, id: string) {
  const p = await ctx.deps.db.payment.findFirst({ where: { id, organizationId: ctx.orgId }, include: { client: { select: { email: true } } } });
  if (!p) throw notFound('payment', id);
  return p;
}

const noTwoStage = (g: LoadedGateway): Promise<OperationResult> => Promise.resolve({ ok: false, reason: `${g.adapter.displayName} has no two-stage payments` });

async function callGateway(ctx: Ctx, gatewayId: string, call: (g: LoadedGateway) => Promise<OperationResult>) {
  const gateway = await gatewayForOperation(ctx.deps, gatewayId);
  try {
    return await call(gateway);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName}: ${err.message}; retrying with the same input is safe`, { cause: err });
  }
}

/**
 * Captures all or part of a hold. The amount is recorded under the payment's lock before the
 * gateway is called, and the request id carries it: a retry (after a timeout) must ask for the
 * same amount, and a second capture of another amount is refused, so what is credited is always
 * what the gateway was asked to capture and said it did.
 */
export async function capturePayment(ctx: Ctx, id: string, amountInput?: string | null): Promise<PaymentView> {
  const p = await authorizedPayment(ctx, id);
  if (SETTLED.includes(p.status)) return toPaymentView(p); // already captured
  if (p.status !== 'AUTHORIZED') throw badInput(`payment ${id} is ${p.status}: only an AUTHORIZED payment can be captured`, 'id');
  const authorized = new Decimal((p.authorizedAmount ?? p.amount).toString());
  const amount = amountInput == null ? authorized : parseAmount(amountInput, p.currency);
  if (amount.gt(authorized)) throw badInput(`cannot capture ${formatAmount(amount, p.currency)}: ${formatAmount(authorized, p.currency)} ${p.currency} is authorized`, 'amount');
  const shown = formatAmount(amount, p.currency);

  const claimed = await ctx.deps.db.$transaction(async (tx) => {
    const current = (await lockPayment(tx, id))!;
    if (current.status !== 'AUTHORIZED') return current;
    if (current.captureAmount && !current.captureAmount.equals(amount.toFixed())) {
      throw new AppError('CONFLICT', `a capture of ${formatAmount(current.captureAmount, p.currency)} ${p.currency} was already asked of the gateway for payment ${id}: ` +
        'capture that amount again to finish it (safe to retry), or reconcilePayment to ask the gateway what it did', { details: { captureAmount: formatAmount(current.captureAmount, p.currency) } });
    }
    if (!current.captureAmount) {
      await tx.payment.update({ where: { id }, data: { captureAmount: amount.toFixed() } });
      await recordEvent(tx, id, current.status, { to: current.status, actor: ctx.actor, reason: `capture of ${shown} ${p.currency} asked of the gateway` });
    }
    return null;
  });
  if (claimed) return toPaymentView(claimed); // a Confirm notification finished it meanwhile

  const result = await callGateway(ctx, p.gatewayId, (g) => g.adapter.capture?.(g.env, g.creds, toGatewayPayment(p, p.client.email), shown) ?? noTwoStage(g));
  if (!result.ok) {
    await ctx.deps.db.$transaction(async (tx) => {
      const current = (await lockPayment(tx, id))!;
      await recordEvent(tx, id, current.status, { to: current.status, actor: ctx.actor, reason: `capture refused by the gateway: ${result.reason}` });
      // Refused means nothing was captured: another amount may be tried.
      if (current.status === 'AUTHORIZED') await tx.payment.update({ where: { id }, data: { captureAmount: null } });
    });
    throw badInput(`the gateway refused the capture: ${result.reason}`, 'id');
  }
  const done = await ctx.deps.db.$transaction(async (tx) => {
    const current = (await lockPayment(tx, id))!;
    if (current.status !== 'AUTHORIZED') return { payment: current, outbox: [] };
    const partial = amount.lt(authorized) ? ` (${shown} of ${formatAmount(authorized, p.currency)} authorized; the rest is released)` : '';
    const payment = await changeStatus(tx, current, {
      to: 'CONFIRMED', cause: 'gateway', actor: ctx.actor, reason: `captured${partial}`,
      patch: { confirmedAt: new Date(), amount: amount.toFixed(), capturedAmount: amount.toFixed() },
    });
    return { payment, outbox: [await addOutbox(tx, { key: `credit-${id}`, kind: 'payment.credit', organizationId: p.organizationId, payload: { paymentId: id } })] };
  });
  await publishOutbox(ctx.deps, done.outbox);
  return toPaymentView(done.payment);
}

export async function voidPayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const p = await authorizedPayment(ctx, id);
  if (p.status === 'CANCELLED') return toPaymentView(p); // already released
  if (p.status !== 'AUTHORIZED') throw badInput(`payment ${id} is ${p.status}: only an AUTHORIZED payment can be voided${p.status === 'CONFIRMED' ? '; refund it instead' : ''}`, 'id');
  const result = await callGateway(ctx, p.gatewayId, (g) => g.adapter.void?.(g.env, g.creds, toGatewayPayment(p, p.client.email)) ?? noTwoStage(g));
  if (!result.ok) {
    await recordEvent(ctx.deps.db, id, p.status, { to: p.status, actor: ctx.actor, reason: `void refused by the gateway: ${result.reason}` });
    throw badInput(`the gateway refused the void: ${result.reason}`, 'id');
  }
  const events: OutboxEntry[] = [];
  const payment = await ctx.deps.db.$transaction(async (tx) => {
    const current = (await lockPayment(tx, id))!;
    if (current.status !== 'AUTHORIZED') return current;
    return changeStatus(tx, current, {
      to: 'CANCELLED', cause: 'gateway', actor: ctx.actor, reason: 'authorization voided: the held money is released', events,
      patch: { failureCode: 'VOIDED', failureReason: 'authorization voided' },
    });
  });
  await publishOutbox(ctx.deps, events);
  return toPaymentView(payment);
}

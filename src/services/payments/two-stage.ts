// Two-stage payments: an AUTHORIZED payment holds the client's money at the gateway until it is
// captured (all or part) or voided. The gateway's answer decides; its Confirm/Cancel notification,
// which may come first, finds the work done and changes nothing.
import type { Ctx } from '../../context';
import { AppError, badInput, notFound } from '../../domain/errors';
import { Decimal, formatAmount, parseAmount } from '../../domain/money';
import { SETTLED } from '../../domain/payment-state';
import type { Prisma } from '../../generated/prisma/client';
import { GatewayError, type OperationResult } from '../../gateways/types';
import { loadGateway } from '../gateways/load-gateway';
import { addOutbox, publishOutbox, type OutboxEntry } from '../outbox/outbox';
import { changeStatus, lockPayment, recordEvent } from './change-status';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

async function authorizedPayment(ctx: Ctx, id: string) {
  const p = await ctx.deps.db.payment.findFirst({ where: { id, organizationId: ctx.orgId }, include: { client: { select: { email: true } } } });
  if (!p) throw notFound('payment', id);
  return p;
}

async function callGateway(ctx: Ctx, gatewayId: string, call: (g: NonNullable<Awaited<ReturnType<typeof loadGateway>>>) => Promise<OperationResult>) {
  const gateway = (await loadGateway(ctx.deps, gatewayId))!;
  try {
    return await call(gateway);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName}: ${err.message}; retrying is safe`, { cause: err });
  }
}

export async function capturePayment(ctx: Ctx, id: string, amountInput?: string | null): Promise<PaymentView> {
  const p = await authorizedPayment(ctx, id);
  if (SETTLED.includes(p.status)) return toPaymentView(p); // already captured
  if (p.status !== 'AUTHORIZED') throw badInput(`payment ${id} is ${p.status}: only an AUTHORIZED payment can be captured`, 'id');
  const authorized = new Decimal(((p.metadata as { authorizedAmount?: string }).authorizedAmount ?? p.amount).toString());
  const amount = amountInput == null ? authorized : parseAmount(amountInput, p.currency);
  if (amount.gt(authorized)) throw badInput(`cannot capture ${formatAmount(amount, p.currency)}: ${formatAmount(authorized, p.currency)} ${p.currency} is authorized`, 'amount');

  // Record what will be captured first, so the gateway's Confirm notification matches it.
  if (!amount.equals(p.amount.toString())) {
    await ctx.deps.db.payment.update({
      where: { id },
      data: { amount: amount.toFixed(), metadata: { ...(p.metadata as Prisma.JsonObject), authorizedAmount: authorized.toFixed() } },
    });
  }
  const result = await callGateway(ctx, p.gatewayId, (g) => g.adapter.capture(g.env, g.creds, toGatewayPayment(p, p.client.email), formatAmount(amount, p.currency)));
  if (!result.ok) {
    await ctx.deps.db.$transaction(async (tx) => {
      const current = (await lockPayment(tx, id))!;
      await recordEvent(tx, id, current.status, { to: current.status, actor: ctx.actor, reason: `capture refused by the gateway: ${result.reason}` });
      if (current.status === 'AUTHORIZED') await tx.payment.update({ where: { id }, data: { amount: authorized.toFixed() } });
    });
    throw badInput(`the gateway refused the capture: ${result.reason}`, 'id');
  }
  const done = await ctx.deps.db.$transaction(async (tx) => {
    const current = (await lockPayment(tx, id))!;
    if (current.status !== 'AUTHORIZED') return { payment: current, outbox: [] };
    const partial = amount.lt(authorized) ? ` (${formatAmount(amount, p.currency)} of ${formatAmount(authorized, p.currency)} authorized; the rest is released)` : '';
    const payment = await changeStatus(tx, current, { to: 'CONFIRMED', cause: 'gateway', actor: ctx.actor, reason: `captured${partial}`, patch: { confirmedAt: new Date() } });
    return { payment, outbox: [await addOutbox(tx, { key: `credit-${id}`, kind: 'payment.credit', organizationId: p.organizationId, payload: { paymentId: id } })] };
  });
  await publishOutbox(ctx.deps, done.outbox);
  return toPaymentView(done.payment);
}

export async function voidPayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const p = await authorizedPayment(ctx, id);
  if (p.status === 'CANCELLED') return toPaymentView(p); // already released
  if (p.status !== 'AUTHORIZED') throw badInput(`payment ${id} is ${p.status}: only an AUTHORIZED payment can be voided${p.status === 'CONFIRMED' ? '; refund it instead' : ''}`, 'id');
  const result = await callGateway(ctx, p.gatewayId, (g) => g.adapter.void(g.env, g.creds, toGatewayPayment(p, p.client.email)));
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

// Two-stage payments: an AUTHORIZED payment holds the client's money at the gateway until it is
// captured (all or part) or voided. The book records what is asked before the gateway is called
// and decides on its answer; a Confirm/Cancel notification that comes first leaves nothing to do.
import type { Ctx } from '../../context';
import type { BookInput } from '../../domain/book';
import { AppError, notFound } from '../../domain/errors';
import { formatAmount, parseAmount } from '../../domain/money';
import { GatewayError, type OperationResult } from '../../gateways/types';
import { refused, runBook, type Ran } from '../book/run';
import { gatewayForOperation, type LoadedGateway } from '../gateways/load-gateway';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';
import { owned } from '../common/scope';

async function ownPayment(ctx: Ctx, id: string) {
  const p = await ctx.deps.db.payment.findFirst({ where: { id, ...owned(ctx) }, include: { client: { select: { email: true } } } });
  if (!p) throw notFound('payment', id);
  return p;
}

async function book(ctx: Ctx, id: string, input: BookInput): Promise<Ran> {
  const ran = await runBook(ctx.deps, id, input, { who: { actor: ctx.actor }, owner: owned(ctx) });
  if (!ran) throw notFound('payment', id);
  if (ran.decision.refusal) throw refused(ran.decision.refusal);
  return ran;
}

const noTwoStage = (g: LoadedGateway): Promise<OperationResult> => Promise.resolve({ ok: false, reason: `${g.adapter.displayName} has no two-stage payments` });

async function callGateway(ctx: Ctx, gatewayId: string | null, call: (g: LoadedGateway) => Promise<OperationResult>) {
  const gateway = await gatewayForOperation(ctx.deps, gatewayId);
  try {
    return await call(gateway);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName}: ${err.message}; retrying with the same input is safe`, { cause: err });
  }
}

/**
 * Captures all or part of a hold. The request id the adapter sends carries the hold and the
 * amount: a retry after a timeout asks for the same, so what is credited is what was captured.
 */
export async function capturePayment(ctx: Ctx, id: string, amountInput?: string | null): Promise<PaymentView> {
  const p = await ownPayment(ctx, id);
  const asked = await book(ctx, id, { kind: 'capture', amount: amountInput == null ? null : parseAmount(amountInput, p.currency) });
  const capture = asked.applied.asks.find((a) => a.action === 'capture');
  if (!capture?.amount) return toPaymentView(asked.applied.payment); // already captured
  const amount = capture.amount;
  const result = await callGateway(ctx, p.gatewayId, (g) =>
    g.adapter.capture?.(g.env, g.creds, toGatewayPayment(p, p.client.email), formatAmount(amount, p.currency)) ?? noTwoStage(g));
  const answered = await runBook(ctx.deps, id, { kind: 'capture-answered', amount, ok: result.ok, reason: result.ok ? undefined : result.reason, now: new Date() }, { who: { actor: ctx.actor } });
  if (answered!.decision.refusal) throw refused(answered!.decision.refusal);
  return toPaymentView(answered!.applied.payment);
}

export async function voidPayment(ctx: Ctx, id: string): Promise<PaymentView> {
  const p = await ownPayment(ctx, id);
  const asked = await book(ctx, id, { kind: 'void' });
  if (!asked.applied.asks.length) return toPaymentView(asked.applied.payment); // already released
  const result = await callGateway(ctx, p.gatewayId, (g) => g.adapter.void?.(g.env, g.creds, toGatewayPayment(p, p.client.email)) ?? noTwoStage(g));
  const answered = await runBook(ctx.deps, id, { kind: 'void-answered', ok: result.ok, reason: result.ok ? undefined : result.reason }, { who: { actor: ctx.actor } });
  if (answered!.decision.refusal) throw refused(answered!.decision.refusal);
  return toPaymentView(answered!.applied.payment);
}

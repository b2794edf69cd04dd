// refundPayment: the book reserves the amount under the payment's row lock (so concurrent refunds
// cannot exceed it), the gateway is asked, and its answer settles the refund; the balance is
// debited by the booking job (services/refunds/book-refund.ts).
import type { Ctx } from '../../context';
import { decide, refundAnswer, refundsByHand, type PaymentSnapshot } from '../../domain/book';
import { BALANCE_FIELD } from '../ledger/post';
import { AppError, notFound } from '../../domain/errors';
import { Decimal, decimalFromText, formatAmount, parseAmount } from '../../domain/money';
import type { Refund } from '../../generated/prisma/client';
import { gatewayAdapter, isConfigurable } from '../../gateways/registry';
import { GatewayError } from '../../gateways/types';
import { refused, runBook } from '../book/run';
import { loadPayment } from '../book/snapshot';
import { gatewayForOperation, unavailableReason } from '../gateways/load-gateway';
import { voidPayment } from '../payments/two-stage';
import { toGatewayPayment } from '../payments/view';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { optionalText } from '../common/validate';
import { owned } from '../common/scope';
import { findPayment } from '../payments/find-payment';

export interface RefundInput {
  transactionId: string;
  amount?: string | null;
  reason?: string | null;
  idempotencyKey?: string | null;
}

export interface RefundResultView {
  success: boolean;
  refundId: string | null;
  amount: string | null;
  message: string | null;
}

export async function refundPayment(ctx: Ctx, input: RefundInput): Promise<RefundResultView> {
  const reason = optionalText(input.reason, 'reason', 500) ?? null;
  const key = callerIdempotencyKey(input.idempotencyKey);
  // Paygate's id or the gateway's transaction id: from here on, Paygate's.
  const payment = await findPayment(ctx, input.transactionId, 'transactionId');
  if (!payment) throw notFound('payment', input.transactionId);
  const paymentId = payment.id;
  const adapter = isConfigurable(payment.gatewayType) ? gatewayAdapter(payment.gatewayType) : null;
  // Money staff took (or confirmed) by hand goes back by hand: the refund is recorded, no gateway is called.
  const ask = (snapshot: PaymentSnapshot, balance?: Decimal) => ({
    kind: 'refund-request' as const,
    amount: input.amount == null ? null : parseAmount(input.amount, snapshot.currency),
    refundsSupported: refundsByHand(snapshot) || !!adapter?.refund,
    gatewayName: payment.gatewayType,
    balance,
  });

  // A hold is not refunded but released: the book says so before anything is reserved.
  const peek = await ctx.deps.db.$transaction(async (tx) => {
    const loaded = await loadPayment(tx, paymentId, { lock: false, refunds: true });
    if (!loaded) return null;
    const balance = refundsByHand(loaded.snapshot) ? await balanceNow(ctx, loaded.snapshot) : undefined;
    return { snapshot: loaded.snapshot, balance, decision: decide(loaded.snapshot, ask(loaded.snapshot, balance)) };
  });
  if (!peek) throw notFound('payment', input.transactionId);
  const unavailable = !refundsByHand(peek.snapshot) && adapter && unavailableReason(ctx.deps.config, adapter);
  if (unavailable) throw new AppError('BAD_USER_INPUT', `${unavailable}; nothing was changed`, { details: { field: 'transactionId' } });
  if (peek.decision.effects.some((e) => e.kind === 'ask' && e.action === 'void')) return refundByVoid(ctx, paymentId);

  // "10" and "10.00" are the same request.
  const amountKey = input.amount == null ? null : (decimalFromText(String(input.amount))?.toFixed() ?? String(input.amount));
  const hash = requestHash([paymentId, amountKey, reason]);
  const { row: refund } = await once<Refund>({
    key,
    requestHash: hash,
    what: 'refund',
    find: (k) => ctx.deps.db.refund.findUnique({ where: { organizationId_environment_idempotencyKey: { ...owned(ctx), idempotencyKey: k } } }),
    create: async () => {
      const ran = await runBook(ctx.deps, paymentId, ({ snapshot }) => ask(snapshot, peek.balance),
        { who: { actor: ctx.actor, refund: { reason, idempotencyKey: key, requestHash: hash } }, owner: owned(ctx), refunds: true });
      if (!ran) throw notFound('payment', input.transactionId);
      if (ran.decision.refusal) throw refused(ran.decision.refusal);
      if (!ran.applied.reserved) throw new AppError('CONFLICT', `payment ${paymentId} changed meanwhile; try again`);
      return ran.applied.reserved;
    },
  });
  // A replay of a finished refund answers as the first call did; a PENDING one asks the gateway
  // again with the same request id, which the gateway carries out at most once.
  const { currency } = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId }, select: { currency: true } });
  if (!refundAnswer(refund).waiting) return view(refund, currency);
  return execute(ctx, refund);
}

async function execute(ctx: Ctx, refund: Refund): Promise<RefundResultView> {
  const payment = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId }, include: { client: { select: { email: true } } } });
  if (refundsByHand({ metadata: payment.metadata as Record<string, unknown> })) return settled(ctx, refund, { ok: true }, payment.currency);
  const gateway = await gatewayForOperation(ctx.deps, payment.gatewayId);
  const amount = formatAmount(refund.amount, payment.currency);
  let result;
  try {
    result = await gateway.adapter.refund!(gateway.env, gateway.creds, toGatewayPayment(payment, payment.client.email), { id: refund.id, amount });
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    // Outcome unknown: keep the reservation. The gateway's Refund notification, or a retry with the
    // same idempotencyKey, settles it.
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} did not confirm refund ${refund.id}: ${err.message}. Retry with the same idempotencyKey.`, { cause: err });
  }
  return settled(ctx, refund, result.ok ? { ok: true, gatewayRefundId: result.gatewayRefundId } : { ok: false, reason: result.reason }, payment.currency);
}

/** The answer (the gateway's, or "done" for money returned by hand) settles the refund through the book. */
async function settled(ctx: Ctx, refund: Refund, answer: { ok: boolean; gatewayRefundId?: string; reason?: string }, currency: string): Promise<RefundResultView> {
  await runBook(ctx.deps, refund.paymentId, { kind: 'refund-answered', refundId: refund.id, ...answer }, { who: { actor: ctx.actor }, refunds: true });
  const now = await ctx.deps.db.refund.findUniqueOrThrow({ where: { id: refund.id } });
  ctx.log.info({ refundId: refund.id, paymentId: refund.paymentId, amount: formatAmount(refund.amount, currency), status: now.status }, 'refund requested');
  return view(now, currency);
}

/** The client's balance in the payment's environment, for the book's rule on refunds by hand. */
async function balanceNow(ctx: Ctx, p: PaymentSnapshot): Promise<Decimal> {
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: p.clientId } } });
  return new Decimal(client ? client[BALANCE_FIELD[p.environment]].toString() : 0);
}

function view(refund: Refund, currency: string): RefundResultView {
  const { success, message } = refundAnswer(refund);
  return { success, refundId: refund.id, amount: formatAmount(refund.amount, currency), message };
}

async function refundByVoid(ctx: Ctx, id: string): Promise<RefundResultView> {
  const voided = await voidPayment(ctx, id);
  return { success: true, refundId: null, amount: voided.amount, message: 'the payment was only authorized: the hold was voided and nothing was charged' };
}

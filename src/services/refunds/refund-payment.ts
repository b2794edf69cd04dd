// refundPayment: reserve the amount under the payment's row lock (so concurrent refunds cannot
// exceed it), ask the gateway, then book the debit through the outbox (services/refunds/book-refund.ts).
import { createHash } from 'node:crypto';
import type { Ctx } from '../../context';
import { AppError, badInput, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { Decimal, decimalFromText, formatAmount, parseAmount } from '../../domain/money';
import { REFUNDABLE } from '../../domain/payment-state';
import type { Refund } from '../../generated/prisma/client';
import { GatewayError } from '../../gateways/types';
import { gatewayForOperation, unavailableReason } from '../gateways/load-gateway';
import { gatewayAdapter } from '../../gateways/registry';
import { addOutbox, publishOutbox } from '../outbox/outbox';
import { lockPayment } from '../payments/change-status';
import { voidPayment } from '../payments/two-stage';
import { toGatewayPayment } from '../payments/view';
import { isUniqueViolation } from '../shared/db-errors';
import { optionalText } from '../shared/validate';

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
  // Money only held (two-stage) is not refunded but released: nothing was charged.
  const held = await ctx.deps.db.payment.findFirst({ where: { id: input.transactionId, organizationId: ctx.orgId, status: 'AUTHORIZED' } });
  if (held) return refundByVoid(ctx, held.id, held.amount.toString(), held.currency, input.amount);
  const reason = optionalText(input.reason, 'reason', 500) ?? null;
  const idempotencyKey = optionalText(input.idempotencyKey, 'idempotencyKey', 255) ?? null;
  // "10" and "10.00" are the same request.
  const amountKey = input.amount == null ? null : (decimalFromText(String(input.amount))?.toFixed() ?? String(input.amount));
  const requestHash = createHash('sha256').update(JSON.stringify([input.transactionId, amountKey, reason])).digest('hex');

  let refund: Refund | null = null;
  if (idempotencyKey) {
    refund = await ctx.deps.db.refund.findUnique({ where: { organizationId_idempotencyKey: { organizationId: ctx.orgId, idempotencyKey } } });
    if (refund && refund.requestHash !== requestHash) {
      throw new AppError('CONFLICT', `idempotencyKey ${idempotencyKey} was already used for a different refund (${refund.id})`);
    }
  }
  if (!refund) {
    try {
      refund = await reserve(ctx, input, reason, idempotencyKey, requestHash);
    } catch (err) {
      if (!(idempotencyKey && isUniqueViolation(err))) throw err;
      refund = await ctx.deps.db.refund.findUniqueOrThrow({ where: { organizationId_idempotencyKey: { organizationId: ctx.orgId, idempotencyKey } } });
      if (refund.requestHash !== requestHash) {
        throw new AppError('CONFLICT', `idempotencyKey ${idempotencyKey} was already used for a different refund (${refund.id})`);
      }
    }
  }
  // A replay of a finished refund answers as the first call did; a PENDING one asks the gateway
  // again with the same request id, which the gateway executes at most once.
  if (refund.status !== 'PENDING') {
    const { currency } = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId }, select: { currency: true } });
    return view(refund, currency);
  }
  return execute(ctx, refund);
}

async function reserve(ctx: Ctx, input: RefundInput, reason: string | null, idempotencyKey: string | null, requestHash: string): Promise<Refund> {
  return ctx.deps.db.$transaction(async (tx) => {
    const p = await lockPayment(tx, input.transactionId);
    if (!p || p.organizationId !== ctx.orgId) throw notFound('payment', input.transactionId);
    const unavailable = unavailableReason(ctx.deps.config, gatewayAdapter(p.gatewayType));
    if (unavailable) throw badInput(`${unavailable}; nothing was changed`, 'transactionId');
    if (!gatewayAdapter(p.gatewayType).refund) {
      throw badInput(`refunds are not supported by ${p.gatewayType}; return the money outside Paygate and record it with an ADJUSTMENT`, 'transactionId');
    }
    if (p.restrictRefund) throw badInput(`refunds of payment ${p.id} are restricted`, 'transactionId');
    if (!REFUNDABLE.includes(p.status)) throw badInput(`payment ${p.id} is ${p.status}: only CONFIRMED or PARTIALLY_REFUNDED payments can be refunded`, 'transactionId');
    const reserved = await tx.refund.aggregate({ where: { paymentId: p.id, status: { in: ['PENDING', 'SUCCEEDED'] } }, _sum: { amount: true } });
    const left = new Decimal(p.amount.toString()).minus(reserved._sum.amount?.toString() ?? '0');
    if (left.lte(0)) throw badInput(`payment ${p.id} has nothing left to refund`, 'amount');
    const amount = input.amount == null ? left : parseAmount(input.amount, p.currency);
    if (amount.gt(left)) {
      throw badInput(`refund of ${formatAmount(amount, p.currency)} exceeds what is left to refund (${formatAmount(left, p.currency)} ${p.currency})`, 'amount');
    }
    return tx.refund.create({
      data: { id: newId('ref'), organizationId: ctx.orgId, paymentId: p.id, amount: amount.toFixed(), reason, idempotencyKey, requestHash, actor: ctx.actor },
    });
  });
}

async function execute(ctx: Ctx, refund: Refund): Promise<RefundResultView> {
  const payment = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId }, include: { client: { select: { email: true } } } });
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
  const settled = await ctx.deps.db.$transaction(async (tx) => {
    await lockPayment(tx, payment.id); // serialises with the gateway's own Refund notification
    const current = await tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
    if (current.status !== 'PENDING') {
      if (result.ok && current.gatewayRefundId && current.gatewayRefundId !== result.gatewayRefundId) {
        ctx.log.error({ refundId: refund.id, paymentId: payment.id, booked: current.gatewayRefundId, answered: result.gatewayRefundId }, 'gateway answered with another refund than the one booked: manual handling');
      }
      return { refund: current, outbox: [] };
    }
    if (!result.ok) {
      return { refund: await tx.refund.update({ where: { id: refund.id }, data: { status: 'FAILED', failureReason: result.reason } }), outbox: [] };
    }
    const updated = await tx.refund.update({ where: { id: refund.id }, data: { status: 'SUCCEEDED', gatewayRefundId: result.gatewayRefundId } });
    return { refund: updated, outbox: [await addOutbox(tx, { key: `refund-${refund.id}`, kind: 'refund.book', organizationId: refund.organizationId, payload: { refundId: refund.id } })] };
  });
  await publishOutbox(ctx.deps, settled.outbox);
  ctx.log.info({ refundId: refund.id, paymentId: payment.id, amount, status: settled.refund.status }, 'refund requested');
  return view(settled.refund, payment.currency);
}

function view(refund: Refund, currency: string): RefundResultView {
  return {
    success: refund.status === 'SUCCEEDED',
    refundId: refund.id,
    amount: formatAmount(refund.amount, currency),
    message: refund.status === 'FAILED' ? `the gateway refused the refund: ${refund.failureReason}` : refund.status === 'PENDING' ? 'waiting for the gateway' : null,
  };
}

async function refundByVoid(ctx: Ctx, id: string, authorized: string, currency: string, amount: string | null | undefined): Promise<RefundResultView> {
  if (amount != null && !parseAmount(amount, currency).equals(authorized)) {
    throw badInput(`payment ${id} is only authorized: void it whole, or capture what you keep with capturePayment(amount)`, 'amount');
  }
  await voidPayment(ctx, id);
  return { success: true, refundId: null, amount: formatAmount(authorized, currency), message: 'the payment was only authorized: the hold was voided and nothing was charged' };
}

// initiateTopUpPayment: a PENDING payment, then the gateway's payment page.
import { createHash } from 'node:crypto';
import type { Ctx } from '../../context';
import { AppError, badInput } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { parseAmount, parseCurrency } from '../../domain/money';
import { GatewayError, type WidgetParams } from '../../gateways/types';
import { isUniqueViolation } from '../shared/db-errors';
import { externalId, httpsOrHttpUrl, optionalText } from '../shared/validate';
import { gatewayForOperation, loadGateway } from '../gateways/load-gateway';
import { changeStatus, lockPayment, recordEvent } from './change-status';
import { selectGateway } from './select-gateway';
import { toGatewayPayment, toPaymentView, type PaymentView } from './view';

export interface InitiateTopUpInput {
  clientId: string;
  clubId: string;
  amount: string;
  currency?: string | null;
  returnUrl?: string | null;
  description?: string | null;
  idempotencyKey?: string | null;
}

export interface InitiateTopUpResult {
  paymentUrl: string;
  transactionId: string;
  expiresAt: Date;
  payment: PaymentView;
  widget: WidgetParams | null;
}

export async function initiateTopUp(ctx: Ctx, input: InitiateTopUpInput): Promise<InitiateTopUpResult> {
  const clientId = externalId(input.clientId, 'clientId');
  const clubId = externalId(input.clubId, 'clubId');
  const currency = parseCurrency(input.currency);
  const amount = parseAmount(input.amount, currency);
  const returnUrl = httpsOrHttpUrl(input.returnUrl, 'returnUrl') ?? null;
  const description = optionalText(input.description, 'description', 500) ?? null;
  const idempotencyKey = optionalText(input.idempotencyKey, 'idempotencyKey', 255) ?? null;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([clientId, clubId, amount.toFixed(), currency, returnUrl, description]))
    .digest('hex');

  if (idempotencyKey) {
    const earlier = await replay(ctx, idempotencyKey, requestHash);
    if (earlier) return earlier;
  }

  const paymentId = newId('pay');
  let created;
  try {
    created = await ctx.deps.db.$transaction(async (tx) => {
      const client = await tx.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
      if (!client) throw badInput(`client ${clientId} not found; create it with upsertClient first`, 'clientId');
      if (!client.isActive) throw badInput(`client ${clientId} is inactive`, 'clientId');
      if (client.currency !== currency) throw badInput(`client ${clientId} keeps a ${client.currency} balance; a ${currency} top-up cannot be credited to it`, 'currency');
      const club = await tx.club.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clubId } } });
      if (!club) throw badInput(`club ${clubId} not found; create it with upsertClub first`, 'clubId');
      const gateway = await selectGateway(tx, ctx.deps.config, ctx.orgId, clubId);
      const payment = await tx.payment.create({
        data: {
          id: paymentId, organizationId: ctx.orgId, clientId, clubId, gatewayId: gateway.id, gatewayType: gateway.type,
          amount: amount.toFixed(), currency, description, returnUrl, idempotencyKey, requestHash,
          expiresAt: new Date(Date.now() + ctx.deps.config.paymentTtlMs),
        },
      });
      await recordEvent(tx, payment.id, null, { to: 'PENDING', actor: ctx.actor, reason: 'top-up initiated' });
      return { payment, email: client.email };
    });
  } catch (err) {
    if (idempotencyKey && isUniqueViolation(err)) {
      const earlier = await replay(ctx, idempotencyKey, requestHash);
      if (earlier) return earlier;
    }
    throw err;
  }

  return attachPaymentPage(ctx, created.payment.id, created.email);
}

/**
 * Asks the gateway for the payment page. Safe to run twice for one payment (a concurrent retry
 * with the same idempotencyKey): adapters send a request id derived from the payment id.
 */
async function attachPaymentPage(ctx: Ctx, paymentId: string, email: string | null): Promise<InitiateTopUpResult> {
  const pending = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const gateway = await gatewayForOperation(ctx.deps, pending.gatewayId);
  try {
    const page = await gateway.adapter.createPayment(gateway.env, gateway.creds, toGatewayPayment(pending, email));
    const payment = await ctx.deps.db.payment.update({
      where: { id: paymentId },
      data: { paymentUrl: page.paymentUrl, gatewayOrderId: page.gatewayOrderId ?? null, ...(page.gatewayTransactionId ? { gatewayTransactionId: page.gatewayTransactionId } : {}) },
    });
    ctx.log.info({ paymentId, gatewayId: gateway.id, amount: payment.amount.toString(), currency: payment.currency }, 'top-up initiated');
    return {
      paymentUrl: page.paymentUrl, transactionId: paymentId, expiresAt: payment.expiresAt, payment: toPaymentView(payment),
      widget: gateway.adapter.widget?.(gateway.creds, toGatewayPayment(payment, email)) ?? null,
    };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    // No payment page: nobody can pay it. Close it so it is not left PENDING.
    await ctx.deps.db.$transaction(async (tx) => {
      const p = await lockPayment(tx, paymentId);
      if (p?.status === 'PENDING') {
        await changeStatus(tx, p, { to: 'FAILED', cause: 'system', actor: ctx.actor, reason: `gateway error: ${err.message}`, patch: { failureReason: err.message, failureCode: 'GATEWAY_ERROR' } });
      }
    });
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} could not create the payment: ${err.message}`, { cause: err });
  }
}

async function replay(ctx: Ctx, idempotencyKey: string, requestHash: string): Promise<InitiateTopUpResult | null> {
  const earlier = await ctx.deps.db.payment.findUnique({
    where: { organizationId_idempotencyKey: { organizationId: ctx.orgId, idempotencyKey } },
  });
  if (!earlier) return null;
  if (earlier.requestHash !== requestHash) {
    throw new AppError('CONFLICT', `idempotencyKey ${idempotencyKey} was already used for a different top-up (${earlier.id})`);
  }
  if (!earlier.paymentUrl) {
    if (earlier.status === 'PENDING') {
      // The first call is still talking to the gateway (or died doing so): finish its work.
      const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: earlier.clientId } } });
      return attachPaymentPage(ctx, earlier.id, client?.email ?? null);
    }
    throw new AppError('GATEWAY_ERROR', `the first attempt with this idempotencyKey got no payment page (${earlier.failureReason ?? earlier.status}); retry with a new key`);
  }
  const gateway = (await loadGateway(ctx.deps, earlier.gatewayId))!;
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: earlier.clientId } } });
  return {
    paymentUrl: earlier.paymentUrl, transactionId: earlier.id, expiresAt: earlier.expiresAt, payment: toPaymentView(earlier),
    widget: gateway.adapter.widget?.(gateway.creds, toGatewayPayment(earlier, client?.email ?? null)) ?? null,
  };
}

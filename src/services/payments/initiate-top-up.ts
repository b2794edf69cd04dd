// initiateTopUpPayment: a PENDING payment, then the gateway's payment page.
import type { Ctx } from '../../context';
import { AppError, badInput, unknownClient } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { parseAmount, parseCurrency } from '../../domain/money';
import { GatewayError, type WidgetParams } from '../../gateways/types';
import { OPEN } from '../../domain/payment-state';
import type { Payment, Prisma } from '../../generated/prisma/client';
import { checkItems, isDefault, type PaymentItemInput } from '../../domain/payment-items';
import { writeHistory } from '../book/persist';
import { runBook } from '../book/run';
import { gatewayForOperation } from '../gateways/load-gateway';
import { gatewayAdapter } from '../../gateways/registry';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { externalId, httpsOrHttpUrl, optionalText } from '../common/validate';
import { payerOf } from './payer';
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
  /** What the payment is for; absent: one "Balance top-up" line of the whole amount. */
  items?: PaymentItemInput[] | null;
  /** One of the gateways serving the club; absent: the one the club is assigned to (or the default). */
  gatewayId?: string | null;
  /** The payer's consent to have the card saved for later charges. */
  saveCard?: boolean | null;
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
  // A top-up is in the client's currency: named or not, that is the one its amount is read in.
  const stated = input.currency == null ? null : parseCurrency(input.currency);
  const known = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } }, select: { currency: true } });
  if (!known) throw unknownClient(clientId);
  const currency = stated ?? known.currency;
  const amount = parseAmount(input.amount, currency);
  const returnUrl = httpsOrHttpUrl(input.returnUrl, 'returnUrl') ?? null;
  const description = optionalText(input.description, 'description', 500) ?? null;
  const idempotencyKey = callerIdempotencyKey(input.idempotencyKey);
  // The default line is never stored: it is built from the amount when read, so it follows a partial capture.
  const checked = checkItems(input.items, amount, currency);
  const items = isDefault(checked, amount, currency) ? [] : checked;
  const gatewayId = input.gatewayId == null || input.gatewayId === '' ? null : input.gatewayId;
  const saveCard = input.saveCard === true;
  // Items, a named gateway and the consent to save the card are part of the request (the same key
  // with other items is a CONFLICT, like another amount); left out, the hash is what it was before they existed.
  const chosen = { ...(items.length ? { items } : {}), ...(gatewayId ? { gatewayId } : {}) };
  const hash = requestHash([clientId, clubId, amount.toFixed(), currency, returnUrl, description, ...(Object.keys(chosen).length ? [chosen] : []), ...(saveCard ? ['saveCard'] : [])]);

  const { row, replayed } = await once<Payment>({
    key: idempotencyKey,
    requestHash: hash,
    what: 'top-up',
    find: (key) => ctx.deps.db.payment.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: key } } }),
    create: () => ctx.deps.db.$transaction(async (tx) => {
      await payerOf(tx, ctx, clientId, clubId, currency, 'top-up');
      const gateway = await selectGateway(tx, ctx.deps.config, ctx.orgId, ctx.env, clubId, gatewayId);
      const adapter = gatewayAdapter(gateway.type);
      if (!adapter.currencies.includes(currency)) {
        throw badInput(`${adapter.displayName} (gateway ${gateway.id}, serving club ${clubId}) does not take ${currency}; it takes ${adapter.currencies.join(', ')}`, 'currency');
      }
      const payment = await tx.payment.create({
        data: {
          id: newId('pay'), organizationId: ctx.orgId, environment: ctx.env, clientId, clubId, gatewayId: gateway.id, gatewayType: gateway.type,
          amount: amount.toFixed(), currency, description, returnUrl, idempotencyKey, requestHash: hash, items: items as unknown as Prisma.InputJsonArray, saveCard,
          expiresAt: new Date(Date.now() + ctx.deps.config.paymentTtlMs),
        },
      });
      await writeHistory(tx, payment.id, null, payment.status, ctx.actor, { code: 'INITIATED', text: 'top-up initiated' });
      return payment;
    }),
  });
  if (!replayed || !row.paymentUrl) {
    // New, or the first call is still talking to the gateway (or died doing so): finish its work.
    if (replayed && !OPEN.includes(row.status)) {
      throw new AppError('GATEWAY_ERROR', `the first attempt with this idempotencyKey got no payment page (${row.failureReason ?? row.status}); retry with a new key`);
    }
    return attachPaymentPage(ctx, row);
  }
  return result(ctx, row);
}

/**
 * Asks the gateway for the payment page. Safe to run twice for one payment (a concurrent retry
 * with the same idempotencyKey): adapters send a request id derived from the payment id, and
 * whichever page is stored first is the one every caller gets.
 */
async function attachPaymentPage(ctx: Ctx, pending: Payment): Promise<InitiateTopUpResult> {
  const gateway = await gatewayForOperation(ctx.deps, pending.gatewayId);
  const email = await clientEmail(ctx, pending.clientId);
  try {
    const page = await gateway.adapter.createPayment(gateway.env, gateway.creds, toGatewayPayment(pending, email));
    // The first page stored wins: a concurrent retry whose gateway call raced ours answers with it.
    await ctx.deps.db.payment.updateMany({
      where: { id: pending.id, paymentUrl: null, status: { in: [...OPEN] } },
      data: { paymentUrl: page.paymentUrl, gatewayOrderId: page.gatewayOrderId ?? null, ...(page.gatewayTransactionId ? { gatewayTransactionId: page.gatewayTransactionId } : {}) },
    });
    const payment = await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: pending.id } });
    if (!payment.paymentUrl) throw new AppError('GATEWAY_ERROR', `the first attempt with this idempotencyKey got no payment page (${payment.failureReason ?? payment.status}); retry with a new key`);
    ctx.log.info({ paymentId: payment.id, gatewayId: gateway.id, amount: payment.amount.toString(), currency: payment.currency }, 'top-up initiated');
    return result(ctx, payment, email);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    // No payment page: nobody can pay it. The book closes it so it is not left PENDING.
    await runBook(ctx.deps, pending.id, { kind: 'no-payment-page', reason: err.message }, { who: { actor: ctx.actor } });
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} could not create the payment: ${err.message}`, { cause: err });
  }
}

async function clientEmail(ctx: Ctx, clientId: string): Promise<string | null> {
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } }, select: { email: true } });
  return client?.email ?? null;
}

async function result(ctx: Ctx, payment: Payment, email?: string | null): Promise<InitiateTopUpResult> {
  const gateway = await gatewayForOperation(ctx.deps, payment.gatewayId);
  const ref = toGatewayPayment(payment, email === undefined ? await clientEmail(ctx, payment.clientId) : email);
  return {
    paymentUrl: payment.paymentUrl!, transactionId: payment.id, expiresAt: payment.expiresAt, payment: toPaymentView(payment),
    widget: gateway.adapter.widget?.(gateway.creds, ref) ?? null,
  };
}

// chargeSavedCard: a one-click top-up with a saved card (cardholder-initiated, TrInitiatorCode=1;
// auto top-up charges through chargePayment as the merchant, TrInitiatorCode=0).
// A PENDING payment on the card's gateway (which must still serve the client's current club, the
// one the payment is booked for) first, then the charge outside any transaction; the
// gateway's synchronous answer goes through the book as the gateway's word, like the Pay or Fail
// notification that follows it, so whichever comes first decides and the other changes nothing.
import type { Ctx } from '../../context';
import { AppError, unknownClient } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { parseAmount } from '../../domain/money';
import type { Payment } from '../../generated/prisma/client';
import { GatewayError, type ChargeInitiator } from '../../gateways/types';
import { writeHistory } from '../book/persist';
import { runBook } from '../book/run';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { externalId } from '../common/validate';
import { gatewayForOperation } from '../gateways/load-gateway';
import { applyGatewayState } from '../payments/gateway-word';
import { reconcileWithGateway } from '../payments/reconcile-payment';
import { toGatewayPayment, toPaymentView, type PaymentView } from '../payments/view';
import { cardTokenAad } from './seal-card';
import { CHARGE_TOKEN, chargeableCard } from './chargeable-card';
import { cardMask, paymentMethodId, unusable } from './saved-methods';

export interface ChargeSavedCardInput {
  clientId: string;
  paymentMethodId: string;
  amount: string;
  idempotencyKey?: string | null;
}

export async function chargeSavedCard(ctx: Ctx, input: ChargeSavedCardInput): Promise<PaymentView> {
  const clientId = externalId(input.clientId, 'clientId');
  const methodId = paymentMethodId(input.paymentMethodId);
  const idempotencyKey = callerIdempotencyKey(input.idempotencyKey);
  const { db } = ctx.deps;
  const client = await db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  const amount = parseAmount(input.amount, client.currency);
  const hash = requestHash(['chargeSavedCard', clientId, methodId, amount.toFixed()]);

  const { row, replayed } = await once<Payment>({
    key: idempotencyKey,
    requestHash: hash,
    what: 'saved-card charge',
    find: (key) => db.payment.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: key } } }),
    create: () => db.$transaction(async (tx) => {
      const { method, client: current, clubId, gateway } = await chargeableCard(ctx, tx, clientId, methodId, CHARGE_TOKEN);
      const payment = await tx.payment.create({
        data: {
          id: newId('pay'), organizationId: ctx.orgId, environment: ctx.env, clientId, clubId, gatewayId: gateway.id, gatewayType: gateway.type,
          amount: amount.toFixed(), currency: current.currency, description: 'Balance top-up', idempotencyKey, requestHash: hash, paymentMethodId: method.id,
          expiresAt: new Date(Date.now() + ctx.deps.config.paymentTtlMs),
        },
      });
      await writeHistory(tx, payment.id, null, payment.status, ctx.actor, { code: 'INITIATED', text: `one-click charge of saved card ${cardMask(method.cardFirstSix, method.cardLastFour)}`, data: { paymentMethodId: method.id } });
      return payment;
    }),
  });
  if (replayed) return replay(ctx, row);
  return chargePayment(ctx, row);
}

/** Charges the card of a PENDING payment made for it, outside any transaction; the answer goes through the book. */
export async function chargePayment(ctx: Ctx, payment: Payment, initiator: ChargeInitiator = 'cardholder'): Promise<PaymentView> {
  const { db, secrets } = ctx.deps;
  const method = await db.savedPaymentMethod.findUniqueOrThrow({ where: { id: payment.paymentMethodId! } });
  // Deleted or expired since the payment was created: the gateway is not asked, the payment fails.
  const gone = unusable(method);
  if (gone) {
    await runBook(ctx.deps, payment.id, { kind: 'not-charged', reason: `saved payment method ${method.id} ${gone} before it was charged` }, { who: { actor: ctx.actor } });
    return toPaymentView(await db.payment.findUniqueOrThrow({ where: { id: payment.id } }));
  }
  const gateway = await gatewayForOperation(ctx.deps, payment.gatewayId);
  const client = await db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: payment.clientId } }, select: { email: true } });
  let state;
  try {
    state = await gateway.adapter.chargeToken!(gateway.env, gateway.creds, toGatewayPayment(payment, client?.email ?? null), secrets.open(method.tokenEncrypted, cardTokenAad(method)), initiator);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    // Whether the card was charged is unknown: the payment waits for the notification or reconciliation.
    ctx.log.warn({ paymentId: payment.id, gatewayId: gateway.id, err: err.message }, 'saved-card charge not answered; left PENDING for reconciliation');
    throw new AppError('GATEWAY_ERROR', `${gateway.adapter.displayName} did not answer the charge: ${err.message}; payment ${payment.id} stays PENDING until the gateway's word reconciles it`, { cause: err, details: { paymentId: payment.id } });
  }
  await applyGatewayState(ctx.deps, payment, state, ctx.actor, 'charge');
  const done = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
  ctx.log.info({ paymentId: done.id, gatewayId: gateway.id, status: done.status, amount: done.amount.toString(), currency: done.currency }, 'saved card charged');
  return toPaymentView(done);
}

/** The same key again: the first charge's payment; not settled yet, the gateway is asked (a read) what became of it. */
async function replay(ctx: Ctx, payment: Payment): Promise<PaymentView> {
  await reconcileWithGateway(ctx.deps, payment.id, ctx.actor).catch((err) => {
    if (!(err instanceof GatewayError)) throw err;
  });
  return toPaymentView(await ctx.deps.db.payment.findUniqueOrThrow({ where: { id: payment.id } }));
}

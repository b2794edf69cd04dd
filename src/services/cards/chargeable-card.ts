// The checks every charge of a saved card makes before the gateway is asked (chargeSavedCard,
// createSubscription, setAutoTopUp and each auto top-up charge): the card is this organization's
// and environment's, the client's, usable, on an active gateway that can do it and still serves
// the client's club, in the client's currency.
import type { Ctx } from '../../context';
import type { Tx } from '../../db';
import { AppError, badInput, notFound } from '../../domain/errors';
import type { Client, PaymentGateway, SavedPaymentMethod } from '../../generated/prisma/client';
import { gatewayAdapter } from '../../gateways/registry';
import type { GatewayAdapter } from '../../gateways/types';
import { owned } from '../common/scope';
import { unavailableReason } from '../gateways/load-gateway';
import { selectGateway } from '../payments/select-gateway';
import { unusable } from './saved-methods';

export interface ChargeableCard {
  method: SavedPaymentMethod;
  client: Client;
  /** The client's current club: the one a charge is booked for. */
  clubId: string;
  gateway: PaymentGateway;
  adapter: GatewayAdapter;
}

/** A one-stage charge of the card's token (one click, auto top-up). */
export const CHARGE_TOKEN = { capability: 'chargeToken', what: 'charge saved cards' } as const;

/** `can`: the adapter's capability the charge needs, and what it is called in the refusal. */
export async function chargeableCard(ctx: Ctx, tx: Tx, clientId: string, methodId: string, can: { capability: keyof GatewayAdapter; what: string }): Promise<ChargeableCard> {
  // Only a card of this organization and environment: another's is not found.
  const method = await tx.savedPaymentMethod.findFirst({ where: { id: methodId, ...owned(ctx) } });
  if (!method) throw notFound('saved payment method', methodId);
  if (method.clientId !== clientId) throw badInput(`saved payment method ${methodId} is not client ${clientId}'s`, 'paymentMethodId');
  const gone = unusable(method);
  if (gone) throw badInput(`saved payment method ${methodId} ${gone === 'expired' ? `expired at the end of ${method.expiresAt.toISOString().slice(0, 7)}` : gone}`, 'paymentMethodId');
  const client = await tx.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client.isActive) throw badInput(`client ${clientId} is inactive`, 'clientId');
  if (!client.clubId) throw badInput(`client ${clientId} belongs to no club; set its club with upsertClient`, 'clientId');
  const clubId = client.clubId;
  const gateway = await tx.paymentGateway.findUniqueOrThrow({ where: { id: method.gatewayId } });
  const adapter = gatewayAdapter(gateway.type);
  if (!adapter[can.capability]) throw badInput(`${adapter.displayName} cannot ${can.what}`, 'paymentMethodId');
  if (!gateway.isActive) throw badInput(`gateway ${gateway.id} of saved payment method ${methodId} is inactive`, 'paymentMethodId');
  const unavailable = unavailableReason(ctx.deps.config, adapter);
  if (unavailable) throw badInput(`${unavailable}; nothing was charged`, 'paymentMethodId');
  await stillServes(ctx, tx, method.gatewayId, clubId);
  if (!adapter.currencies.includes(client.currency)) throw badInput(`${adapter.displayName} does not take ${client.currency}`, 'amount');
  return { method, client, clubId, gateway, adapter };
}

/**
 * The card's gateway must still serve the client's club, by initiateTopUpPayment's rule for a named
 * gateway (assigned to the club, or an organization default): after the club moved to another
 * gateway, or the client to a club it does not serve, the card is not charged there.
 */
async function stillServes(ctx: Ctx, tx: Tx, gatewayId: string, clubId: string): Promise<void> {
  try {
    await selectGateway(tx, ctx.deps.config, ctx.orgId, ctx.env, clubId, gatewayId);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'BAD_USER_INPUT') throw err;
    throw badInput(`the card was saved on gateway ${gatewayId}, which no longer serves the client's club ${clubId}; the client must save the card again`, 'paymentMethodId');
  }
}

import type { Config } from '../../config';
import type { Tx } from '../../db';
import { badInput } from '../../domain/errors';
import type { PaymentGateway } from '../../generated/prisma/client';
import type { Environment } from '../../generated/prisma/enums';
import { gatewayAdapter } from '../../gateways/registry';
import { unavailableReason } from '../gateways/load-gateway';

/**
 * The active gateway of the environment serving the club, else that environment's organization
 * default (an active gateway that serves no particular club; the earliest configured if there are
 * several). A gateway this server cannot use (the sandbox switched off) counts as inactive, and the
 * refusal says so.
 */
export async function selectGateway(tx: Tx, config: Config, orgId: string, env: Environment, clubId: string, named?: string | null): Promise<PaymentGateway> {
  const why = (g: PaymentGateway) => (g.isActive ? unavailableReason(config, gatewayAdapter(g.type)) : 'inactive');
  if (named) return namedGateway(tx, orgId, env, clubId, named, why);
  const assigned = await tx.paymentGatewayClub.findUnique({
    where: { organizationId_clubId_environment: { organizationId: orgId, clubId, environment: env } },
    include: { gateway: true },
  });
  if (assigned && !why(assigned.gateway)) return assigned.gateway;
  const defaults = await tx.paymentGateway.findMany({
    where: { organizationId: orgId, environment: env, isActive: true, clubs: { none: {} } },
    orderBy: { createdAt: 'asc' },
  });
  const fallback = defaults.find((g) => !why(g));
  if (fallback) return fallback;
  const disabled = [assigned?.gateway, ...defaults].map((g) => g && g.isActive && why(g)).find(Boolean);
  throw badInput(
    `no ${env.toLowerCase()} gateway serves club ${clubId}: no active ${env} payment gateway is assigned to it, and the organization has no ${env} default gateway` +
      (disabled ? ` (${disabled})` : '; configure one with configurePaymentGateway'),
    'clubId',
  );
}

/**
 * The gateway the caller names, if it serves the club: assigned to it, or an organization default
 * (a gateway assigned to no club serves every club). Another organization's or environment's
 * gateway is not found, in the same words as one that does not exist.
 */
async function namedGateway(tx: Tx, orgId: string, env: Environment, clubId: string, id: string, why: (g: PaymentGateway) => string | null): Promise<PaymentGateway> {
  if (!/^gw_[0-9a-z]{20,40}$/.test(id)) throw badInput('gatewayId is not a gateway id (gw_…)', 'gatewayId');
  const gateway = await tx.paymentGateway.findFirst({ where: { id, organizationId: orgId, environment: env }, include: { clubs: { select: { clubId: true } } } });
  if (!gateway) throw badInput(`gateway ${id} not found among this organization's ${env} gateways`, 'gatewayId');
  const { clubs, ...row } = gateway;
  if (clubs.length && !clubs.some((c) => c.clubId === clubId)) {
    throw badInput(`gateway ${id} does not serve club ${clubId}: it serves only the clubs it is assigned to`, 'gatewayId');
  }
  const unusable = why(row);
  if (unusable) throw badInput(`gateway ${id} cannot take payments: ${unusable}`, 'gatewayId');
  return row;
}

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
export async function selectGateway(tx: Tx, config: Config, orgId: string, env: Environment, clubId: string): Promise<PaymentGateway> {
  const why = (g: PaymentGateway) => (g.isActive ? unavailableReason(config, gatewayAdapter(g.type)) : 'inactive');
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

import type { Config } from '../../config';
import type { Tx } from '../../db';
import { badInput } from '../../domain/errors';
import type { PaymentGateway } from '../../generated/prisma/client';
import { gatewayAdapter } from '../../gateways/registry';
import { unavailableReason } from '../gateways/load-gateway';

/**
 * The active gateway serving the club, else the organization default (an active gateway that
 * serves no particular club; the earliest configured if there are several). A gateway this server
 * cannot use (the sandbox switched off) counts as inactive, and the refusal says so.
 */
export async function selectGateway(tx: Tx, config: Config, orgId: string, clubId: string): Promise<PaymentGateway> {
  const why = (g: PaymentGateway) => (g.isActive ? unavailableReason(config, gatewayAdapter(g.type)) : 'inactive');
  const assigned = await tx.paymentGatewayClub.findUnique({
    where: { organizationId_clubId: { organizationId: orgId, clubId } },
    include: { gateway: true },
  });
  if (assigned && !why(assigned.gateway)) return assigned.gateway;
  const defaults = await tx.paymentGateway.findMany({
    where: { organizationId: orgId, isActive: true, clubs: { none: {} } },
    orderBy: { createdAt: 'asc' },
  });
  const fallback = defaults.find((g) => !why(g));
  if (fallback) return fallback;
  const disabled = [assigned?.gateway, ...defaults].map((g) => g && g.isActive && why(g)).find(Boolean);
  throw badInput(
    `no active payment gateway serves club ${clubId}, and the organization has no default gateway` +
      (disabled ? ` (${disabled})` : '; configure one with configurePaymentGateway'),
    'clubId',
  );
}

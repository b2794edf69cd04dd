import type { Tx } from '../../db';
import { badInput } from '../../domain/errors';

/**
 * The active gateway serving the club, else the organization default (an active gateway that
 * serves no particular club; the earliest configured if there are several).
 */
export async function selectGateway(tx: Tx, orgId: string, clubId: string) {
  const assigned = await tx.paymentGatewayClub.findUnique({
    where: { organizationId_clubId: { organizationId: orgId, clubId } },
    include: { gateway: true },
  });
  if (assigned?.gateway.isActive) return assigned.gateway;
  const fallback = await tx.paymentGateway.findFirst({
    where: { organizationId: orgId, isActive: true, clubs: { none: {} } },
    orderBy: { createdAt: 'asc' },
  });
  if (!fallback) {
    throw badInput(`no active payment gateway serves club ${clubId}, and the organization has no default gateway; configure one with configurePaymentGateway`, 'clubId');
  }
  return fallback;
}

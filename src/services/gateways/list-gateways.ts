import type { Ctx } from '../../context';
import { gatewayViewSelect, toGatewayView, type GatewayView } from './view';

export async function listGateways(ctx: Ctx): Promise<GatewayView[]> {
  const rows = await ctx.deps.db.paymentGateway.findMany({
    where: { organizationId: ctx.orgId, environment: ctx.env },
    select: gatewayViewSelect,
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((row) => toGatewayView(ctx.deps.config, row));
}

import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { email, externalId, optionalText, phone } from '../common/validate';
import { toClientView, type ClientView } from './client-view';

export interface UpsertClientInput {
  id: string;
  clubId?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  isActive?: boolean | null;
}

/** Creates the client or updates the fields given; an explicit null clears a field. */
export async function upsertClient(ctx: Ctx, input: UpsertClientInput): Promise<ClientView> {
  const id = externalId(input.id, 'id');
  const clubId = input.clubId == null ? input.clubId : externalId(input.clubId, 'clubId');
  const fields = {
    ...(clubId !== undefined ? { clubId } : {}),
    ...(input.name !== undefined ? { name: optionalText(input.name, 'name', 200) } : {}),
    ...(input.email !== undefined ? { email: email(input.email) } : {}),
    ...(input.phone !== undefined ? { phone: phone(input.phone) } : {}),
    ...(input.isActive != null ? { isActive: input.isActive } : {}),
  };
  if (clubId) {
    const club = await ctx.deps.db.club.findUnique({
      where: { organizationId_id: { organizationId: ctx.orgId, id: clubId } },
      select: { id: true },
    });
    if (!club) throw badInput(`unknown club ${clubId}; create it with upsertClub first`, 'clubId');
  }
  const row = await ctx.deps.db.client.upsert({
    where: { organizationId_id: { organizationId: ctx.orgId, id } },
    create: { organizationId: ctx.orgId, id, ...fields },
    update: fields,
  });
  return toClientView(row, ctx.env);
}

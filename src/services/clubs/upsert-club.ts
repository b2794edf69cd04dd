import type { Ctx } from '../../context';
import { externalId, text } from '../common/validate';

export interface ClubView {
  id: string;
  name: string;
  createdAt: Date;
}

export async function upsertClub(ctx: Ctx, input: { id: string; name: string }): Promise<ClubView> {
  const id = externalId(input.id, 'id');
  const name = text(input.name, 'name', 200);
  const club = await ctx.deps.db.club.upsert({
    where: { organizationId_id: { organizationId: ctx.orgId, id } },
    create: { organizationId: ctx.orgId, id, name },
    update: { name },
  });
  return { id: club.id, name: club.name, createdAt: club.createdAt };
}

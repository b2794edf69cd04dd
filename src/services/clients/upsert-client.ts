import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { parseCurrency } from '../../domain/money';
import { isUniqueViolation } from '../common/db-errors';
import { email, externalId, optionalText, phone } from '../common/validate';
import { toClientView, type ClientView } from './client-view';

export interface UpsertClientInput {
  id: string;
  clubId?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  isActive?: boolean | null;
  currency?: string | null;
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
  const currency = input.currency == null ? undefined : parseCurrency(input.currency);
  const attempt = () => ctx.deps.db.$transaction(async (tx) => {
    // Under the client's row lock: postings take it too, so no credit lands between check and change.
    const [existing] = await tx.$queryRaw<{ currency: string }[]>`
      SELECT currency FROM "Client" WHERE "organizationId" = ${ctx.orgId} AND id = ${id} FOR UPDATE`;
    if (!existing) {
      const { defaultCurrency } = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select: { defaultCurrency: true } });
      return tx.client.create({ data: { organizationId: ctx.orgId, id, ...fields, currency: currency ?? defaultCurrency } });
    }
    if (currency && currency !== existing.currency) {
      // Balances are kept in one currency: once a payment exists (in either environment, paid or
      // still open) or money moved, changing it would re-denominate that money.
      const used = (await tx.payment.findFirst({ where: { organizationId: ctx.orgId, clientId: id }, select: { id: true } }))
        ?? (await tx.ledgerEntry.findFirst({ where: { organizationId: ctx.orgId, clientId: id }, select: { id: true } }));
      if (used) throw badInput(`client ${id} keeps its balances in ${existing.currency} and already has payments or ledger entries; its currency cannot change`, 'currency');
    }
    return tx.client.update({ where: { organizationId_id: { organizationId: ctx.orgId, id } }, data: { ...fields, ...(currency ? { currency } : {}) } });
  });
  // Two first calls for one client at once: the loser updates what the winner created.
  const row = await attempt().catch((err) => (isUniqueViolation(err) ? attempt() : Promise.reject(err)));
  return toClientView(row, ctx.env);
}

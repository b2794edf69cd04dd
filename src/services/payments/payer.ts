// Who pays and where: the client (active, keeping its balance in the payment's currency) and the
// club of a new payment, both of the key's organization. One rule for every way money comes in.
import type { Ctx } from '../../context';
import type { Tx } from '../../db';
import { badInput, unknownClient } from '../../domain/errors';
import type { Client } from '../../generated/prisma/client';

export async function payerOf(tx: Tx, ctx: Ctx, clientId: string, clubId: string, currency: string, what: string): Promise<Client> {
  const client = await tx.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  if (!client.isActive) throw badInput(`client ${clientId} is inactive`, 'clientId');
  if (client.currency !== currency) throw badInput(`client ${clientId} keeps a ${client.currency} balance; a ${currency} ${what} cannot be credited to it`, 'currency');
  const club = await tx.club.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clubId } }, select: { id: true } });
  if (!club) throw badInput(`club ${clubId} not found; create it with upsertClub first`, 'clubId');
  return client;
}

import type { Tx } from '../../db';

/** Adds to the client's balance under its row lock and returns the new balance. */
export async function moveBalance(tx: Tx, orgId: string, clientId: string, delta: string): Promise<string> {
  const rows = await tx.$queryRaw<{ balance: string }[]>`
    UPDATE "Client" SET balance = balance + ${delta}::numeric, "updatedAt" = now()
    WHERE "organizationId" = ${orgId} AND id = ${clientId}
    RETURNING balance::text AS balance`;
  if (!rows.length) throw new Error(`client ${orgId}/${clientId} not found`);
  return rows[0].balance;
}

// savedPaymentMethods and deleteSavedPaymentMethod: a client's saved cards in the key's
// organization and environment, as the API shows them (never the token).
import type { Ctx } from '../../context';
import { notFound } from '../../domain/errors';
import type { SavedPaymentMethod } from '../../generated/prisma/client';
import { owned } from '../common/scope';
import { externalId, text } from '../common/validate';

export interface SavedPaymentMethodView {
  id: string;
  cardMask: string;
  brand: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** "411111******1111" when the first six digits are known, else "•••• 1111". */
export function cardMask(firstSix: string | null, lastFour: string | null): string {
  if (firstSix && lastFour) return `${firstSix}******${lastFour}`;
  return `•••• ${lastFour ?? '????'}`;
}

export function toSavedPaymentMethodView(m: Pick<SavedPaymentMethod, 'id' | 'cardFirstSix' | 'cardLastFour' | 'brand' | 'expiresAt' | 'createdAt'>): SavedPaymentMethodView {
  return { id: m.id, cardMask: cardMask(m.cardFirstSix, m.cardLastFour), brand: m.brand, expiresAt: m.expiresAt, createdAt: m.createdAt };
}

/** Oldest first; deleted ones are left out. Expired cards are listed (the CRM may ask the payer for a new one). */
export async function listSavedPaymentMethods(ctx: Ctx, clientId: string): Promise<SavedPaymentMethodView[]> {
  const id = externalId(clientId, 'clientId');
  const rows = await ctx.deps.db.savedPaymentMethod.findMany({
    where: { ...owned(ctx), clientId: id, deletedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, cardFirstSix: true, cardLastFour: true, brand: true, expiresAt: true, createdAt: true },
  });
  return rows.map(toSavedPaymentMethodView);
}

/** Why a saved card can no longer be charged (deleted by staff, or past its expiry month), or null. */
export function unusable(m: Pick<SavedPaymentMethod, 'deletedAt' | 'expiresAt'>, now = new Date()): 'was deleted' | 'expired' | null {
  return m.deletedAt ? 'was deleted' : m.expiresAt <= now ? 'expired' : null;
}

export const paymentMethodId = (value: string) => text(value, 'paymentMethodId', 64);

/** Soft delete: the row stays for audit, and is never charged again. Deleting a deleted card is true again. */
export async function deleteSavedPaymentMethod(ctx: Ctx, id: string): Promise<boolean> {
  const methodId = paymentMethodId(id);
  const { count } = await ctx.deps.db.savedPaymentMethod.updateMany({ where: { id: methodId, ...owned(ctx), deletedAt: null }, data: { deletedAt: new Date() } });
  if (count === 0 && !(await ctx.deps.db.savedPaymentMethod.count({ where: { id: methodId, ...owned(ctx) } }))) throw notFound('saved payment method', methodId);
  if (count) ctx.log.info({ paymentMethodId: methodId }, 'saved payment method deleted');
  return true;
}

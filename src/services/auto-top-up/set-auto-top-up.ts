// setAutoTopUp and autoTopUp: a client's auto top-up rule. The CRM sets it only with the client's
// consent to merchant-initiated charges of the card (saving a card does not imply it). Enabling it
// checks the card as a charge would (cards/chargeable-card.ts) and clears a pause.
import type { Ctx } from '../../context';
import { chargesOn, parseAutoTopUpSettings, utcDay } from '../../domain/auto-top-up';
import { unknownClient } from '../../domain/errors';
import { formatAmount } from '../../domain/money';
import type { AutoTopUp } from '../../generated/prisma/client';
import { CHARGE_TOKEN, chargeableCard } from '../cards/chargeable-card';
import { paymentMethodId } from '../cards/saved-methods';
import { externalId } from '../common/validate';

export interface SetAutoTopUpInput { clientId: string; paymentMethodId: string; threshold: string; amount: string; dailyLimit?: number | null; enabled?: boolean | null }

export interface AutoTopUpView {
  clientId: string; paymentMethodId: string; threshold: string; amount: string; currency: string; dailyLimit: number; enabled: boolean;
  pausedReason: string | null; lastChargeAt: Date | null; lastPaymentId: string | null; chargesToday: number;
}

const view = (r: AutoTopUp, currency: string, now = new Date()): AutoTopUpView => ({
  clientId: r.clientId, paymentMethodId: r.paymentMethodId, threshold: formatAmount(r.threshold, currency), amount: formatAmount(r.amount, currency), currency,
  dailyLimit: r.dailyLimit, enabled: r.enabled, pausedReason: r.pausedReason, lastChargeAt: r.lastChargeAt, lastPaymentId: r.lastPaymentId, chargesToday: chargesOn(r, utcDay(now)),
});

export async function setAutoTopUp(ctx: Ctx, input: SetAutoTopUpInput): Promise<AutoTopUpView> {
  const clientId = externalId(input.clientId, 'clientId');
  const methodId = paymentMethodId(input.paymentMethodId);
  const enabled = input.enabled ?? true;
  const client = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } } });
  if (!client) throw unknownClient(clientId);
  const settings = parseAutoTopUpSettings(input, client.currency);
  const row = await ctx.deps.db.$transaction(async (tx) => {
    // Switching it off needs no chargeable card (the card may be why it is switched off).
    if (enabled) await chargeableCard(ctx, tx, clientId, methodId, CHARGE_TOKEN);
    const data = { paymentMethodId: methodId, threshold: settings.threshold.toFixed(), amount: settings.amount.toFixed(), dailyLimit: settings.dailyLimit, enabled, ...(enabled ? { pausedReason: null } : {}) };
    return tx.autoTopUp.upsert({
      where: { organizationId_environment_clientId: { organizationId: ctx.orgId, environment: ctx.env, clientId } },
      create: { organizationId: ctx.orgId, environment: ctx.env, clientId, ...data },
      update: data,
    });
  });
  ctx.log.info({ clientId, paymentMethodId: methodId, enabled }, 'auto top-up set');
  return view(row, client.currency);
}

export async function getAutoTopUp(ctx: Ctx, clientIdInput: string): Promise<AutoTopUpView | null> {
  const clientId = externalId(clientIdInput, 'clientId');
  const row = await ctx.deps.db.autoTopUp.findUnique({ where: { organizationId_environment_clientId: { organizationId: ctx.orgId, environment: ctx.env, clientId } } });
  if (!row) return null;
  const client = await ctx.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } }, select: { currency: true } });
  return view(row, client.currency);
}

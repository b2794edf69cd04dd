// The organization's business profile: a readable code beside its id, its time zone (the day
// boundaries of usage counters and, later, of reports) and its default currency.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { parseCurrency } from '../../domain/money';
import { text } from '../common/validate';

export interface OrganizationView {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  defaultCurrency: string;
  createdAt: Date;
}

export interface UpdateOrganizationInput {
  name?: string | null;
  timeZone?: string | null;
  defaultCurrency?: string | null;
}

const select = { id: true, code: true, name: true, timeZone: true, defaultCurrency: true, createdAt: true } as const;

export async function getOrganization(ctx: Ctx): Promise<OrganizationView> {
  return ctx.deps.db.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select });
}

/** An IANA zone name ("Europe/Moscow"), as Intl knows it. */
function timeZone(value: string): string {
  const zone = text(value, 'timeZone', 64);
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw badInput(`timeZone ${zone} is not an IANA time zone (e.g. Europe/Moscow)`, 'timeZone');
  }
}

export async function updateOrganization(ctx: Ctx, input: UpdateOrganizationInput): Promise<OrganizationView> {
  const data = {
    ...(input.name != null ? { name: text(input.name, 'name', 200) } : {}),
    ...(input.timeZone != null ? { timeZone: timeZone(input.timeZone) } : {}),
    ...(input.defaultCurrency != null ? { defaultCurrency: parseCurrency(input.defaultCurrency, 'defaultCurrency') } : {}),
  };
  const row = await ctx.deps.db.organization.update({ where: { id: ctx.orgId }, data, select });
  ctx.log.info({ fields: Object.keys(data) }, 'organization updated');
  return row;
}

// The organization's business profile: a readable code beside its id, its time zone (the day
// boundaries of usage counters and, later, of reports) and its default currency.
import type { Ctx } from '../../context';
import { badInput } from '../../domain/errors';
import { parseCurrency } from '../../domain/money';
import { text } from '../common/validate';
import { checkFiscal, type FiscalInput, type FiscalSettings } from '../../domain/receipts';

export interface OrganizationView {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  defaultCurrency: string;
  createdAt: Date;
  fiscal: FiscalSettings | null;
}

export interface UpdateOrganizationInput {
  name?: string | null;
  timeZone?: string | null;
  defaultCurrency?: string | null;
  fiscal?: FiscalInput | null;
}

const select = { id: true, code: true, name: true, timeZone: true, defaultCurrency: true, createdAt: true, fiscalInn: true, fiscalTaxationSystem: true, fiscalDefaultVat: true, receiptsEnabled: true } as const;

type Row = { id: string; code: string; name: string; timeZone: string; defaultCurrency: string; createdAt: Date; fiscalInn: string | null; fiscalTaxationSystem: number | null; fiscalDefaultVat: number | null; receiptsEnabled: boolean };
const view = ({ fiscalInn, fiscalTaxationSystem, fiscalDefaultVat, receiptsEnabled, ...o }: Row): OrganizationView => ({
  ...o,
  fiscal: fiscalInn ? { inn: fiscalInn, taxationSystem: fiscalTaxationSystem ?? 0, defaultVat: fiscalDefaultVat, receiptsEnabled } : null,
});

export async function getOrganization(ctx: Ctx): Promise<OrganizationView> {
  return view(await ctx.deps.db.organization.findUniqueOrThrow({ where: { id: ctx.orgId }, select }));
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
    ...(input.fiscal != null ? fiscalColumns(checkFiscal(input.fiscal)) : {}),
  };
  const row = await ctx.deps.db.organization.update({ where: { id: ctx.orgId }, data, select });
  ctx.log.info({ fields: Object.keys(data) }, 'organization updated');
  return view(row);
}

const fiscalColumns = (f: FiscalSettings) => ({ fiscalInn: f.inn, fiscalTaxationSystem: f.taxationSystem, fiscalDefaultVat: f.defaultVat, receiptsEnabled: f.receiptsEnabled });

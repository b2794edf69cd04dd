// The settings configurePaymentGateway takes, refused by name where a gateway has no use for them.
import type { GatewaySettingsInput, GatewayType, SettingsResult } from './types';

const OTHER_SETTINGS = ['availableCurrencies', 'cryptocurrency'] as const;

/** A refusal of every given setting `type` does not accept, or null when all given ones apply. */
export function refuseOthers(type: GatewayType, input: GatewaySettingsInput, accepted: ReadonlyArray<keyof GatewaySettingsInput>): SettingsResult | null {
  if (input.twoStage && !accepted.includes('twoStage')) return { ok: false, field: 'twoStage', message: `${type} has no two-stage payments` };
  const refused = OTHER_SETTINGS.filter((k) => !accepted.includes(k));
  const given = refused.find((k) => input[k] !== undefined);
  return given ? { ok: false, field: given, message: `${type} takes no ${refused.join(' or ')} settings` } : null;
}

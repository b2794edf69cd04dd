// The one interface every gateway implements. Adding a gateway = one folder + one registry line.
import type { GatewayType } from '../generated/prisma/enums';

export type { GatewayType };

/** What configurePaymentGateway asks of a gateway before storing it. */
export interface GatewayConfigRules {
  /** CryptoCloud signs postbacks with a separate secret; CloudPayments uses the API Secret. */
  readonly requiresWebhookSecret: boolean;
  /** Authorize first, capture later (CloudPayments' two-stage scheme). */
  readonly supportsTwoStage: boolean;
}

export interface GatewayAdapter extends GatewayConfigRules {
  readonly type: GatewayType;
  readonly displayName: string;
  /** Paths, relative to PUBLIC_URL, where this gateway sends its notifications. */
  callbackPaths(gatewayId: string): string[];
}

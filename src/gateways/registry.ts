import { cloudPaymentsAdapter } from './cloudpayments';
import { cryptoCloudAdapter } from './cryptocloud';
import { sandboxAdapter } from './sandbox';
import type { GatewayAdapter, GatewayType } from './types';

/** A new GatewayType does not compile until it has an adapter here. */
export const gateways = {
  CLOUDPAYMENTS: cloudPaymentsAdapter,
  CRYPTOCLOUD: cryptoCloudAdapter,
  SANDBOX: sandboxAdapter,
} satisfies Record<GatewayType, GatewayAdapter>;

export function gatewayAdapter(type: GatewayType): GatewayAdapter {
  return gateways[type];
}

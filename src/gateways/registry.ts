import { cloudPaymentsAdapter } from './cloudpayments';
import { cryptoCloudAdapter } from './cryptocloud';
import { sandboxAdapter } from './sandbox';
import type { GatewayAdapter, GatewayType } from './types';

/** A new GatewayType does not compile until it has an adapter here (MANUAL is staff's, no gateway). */
export const gateways = {
  CLOUDPAYMENTS: cloudPaymentsAdapter,
  CRYPTOCLOUD: cryptoCloudAdapter,
  SANDBOX: sandboxAdapter,
} satisfies Record<Exclude<GatewayType, 'MANUAL'>, GatewayAdapter>;

export const isConfigurable = (type: GatewayType): type is keyof typeof gateways => type in gateways;

export function gatewayAdapter(type: GatewayType): GatewayAdapter {
  if (!isConfigurable(type)) throw new Error(`${type} payments have no gateway`);
  return gateways[type];
}

/** The gateway types whose adapter has a capability (one of its optional methods). */
export function gatewayTypesWith(capability: keyof GatewayAdapter): (keyof typeof gateways)[] {
  return (Object.keys(gateways) as (keyof typeof gateways)[]).filter((type) => typeof gateways[type][capability] === 'function');
}

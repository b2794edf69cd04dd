// SANDBOX: CloudPayments test mode served by Paygate itself. The adapter is CloudPayments'
// own, pointed at the emulator under /sandbox (emulator.ts), so the real code path is exercised.
import { cloudPaymentsAdapter } from '../cloudpayments/adapter';
import type { GatewayAdapter } from '../types';

export const SANDBOX_API_PATH = '/sandbox/api';

export const sandboxAdapter: GatewayAdapter = {
  ...cloudPaymentsAdapter,
  type: 'SANDBOX',
  displayName: 'Sandbox (CloudPayments test mode)',
  emulated: true,
  baseUrl: (_gateways, publicUrl) => `${publicUrl}${SANDBOX_API_PATH}`,
  // The emulator knows a merchant only once it is stored: any credentials are fine in test mode.
  verifyCredentials: async () => true,
  callbackSourceNetworks: ['127.0.0.0/8', '::1/128'], // the sandbox calls Paygate from Paygate
  widget: () => null, // the real widget does not know the sandbox: pay through paymentUrl
};

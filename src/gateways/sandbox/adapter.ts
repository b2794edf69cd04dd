// SANDBOX: CloudPayments test mode served by Paygate itself. The adapter is CloudPayments'
// own, pointed at the emulator under /sandbox (src/sandbox), so the real code path is exercised.
import { cloudPaymentsAdapter } from '../cloudpayments/adapter';
import type { GatewayAdapter } from '../types';

export const sandboxAdapter: GatewayAdapter = {
  ...cloudPaymentsAdapter,
  type: 'SANDBOX',
  displayName: 'Sandbox (CloudPayments test mode)',
  api: { emulatedAt: '/sandbox/api' },
  environments: ['TEST'],
  // The emulator knows a merchant only once it is stored: any credentials are fine in test mode.
  verifyCredentials: async () => true,
  callbacks: { ...cloudPaymentsAdapter.callbacks, sourceNetworks: ['127.0.0.0/8', '::1/128'] }, // the sandbox calls Paygate from Paygate
  widget: undefined, // the real widget does not know the sandbox: pay through paymentUrl
};

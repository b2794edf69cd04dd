// The built-in SANDBOX gateway: CloudPayments test mode, served by Paygate itself.
import { notificationPaths } from '../cloudpayments/notifications';
import type { GatewayAdapter } from '../types';

export const sandboxAdapter: GatewayAdapter = {
  type: 'SANDBOX',
  displayName: 'Sandbox (CloudPayments test mode)',
  requiresWebhookSecret: false,
  supportsTwoStage: true,
  callbackPaths: notificationPaths,
};

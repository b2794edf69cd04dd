import type { GatewayAdapter } from '../types';
import { notificationPaths } from './notifications';

export const cloudPaymentsAdapter: GatewayAdapter = {
  type: 'CLOUDPAYMENTS',
  displayName: 'CloudPayments',
  requiresWebhookSecret: false,
  supportsTwoStage: true,
  callbackPaths: notificationPaths,
};

import type { GatewayAdapter } from '../types';

export const cryptoCloudAdapter: GatewayAdapter = {
  type: 'CRYPTOCLOUD',
  displayName: 'CryptoCloud',
  requiresWebhookSecret: true,
  supportsTwoStage: false,
  callbackPaths: (gatewayId) => [`/payments/cryptocloud/${gatewayId}/postback`],
};

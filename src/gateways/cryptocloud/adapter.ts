// CryptoCloud: configuration rules and callback routes for now; invoices and postbacks come
// with its issue. Until then every payment operation refuses clearly.
import { GatewayError, type GatewayAdapter } from '../types';

const notYet = async (): Promise<never> => {
  throw new GatewayError('CryptoCloud payments are not available yet', false);
};

export const cryptoCloudAdapter: GatewayAdapter = {
  type: 'CRYPTOCLOUD',
  displayName: 'CryptoCloud',
  requiresWebhookSecret: true,
  supportsTwoStage: false,
  callbackProtocol: 'cryptocloud',
  callbackKinds: ['postback'],
  callbackSourceNetworks: [], // not documented: the allow-list does not apply
  baseUrl: (gateways) => gateways.cryptocloud.baseUrl,
  parseCallback: async () => ({ signature: 'INVALID' }),
  answerCallback: (_kind, outcome) =>
    outcome.result === 'rejected' ? { status: 401, body: { message: 'invalid token' } }
    : outcome.result === 'retry' ? { status: 503, body: { message: 'try again later' } }
    : { status: 200, body: { message: 'Postback received' } },
  createPayment: notYet,
  getPayment: notYet,
  refund: notYet,
  cancel: notYet,
  verifyCredentials: async () => true, // checked against the API with its issue
  widget: () => null,
  capture: notYet,
  void: notYet,
};

// CryptoCloud: crypto top-ups through invoices and JWT-signed postbacks. A postback is only a
// hint: the invoice's status is confirmed with invoice/merchant/info before any money moves.
import { GatewayError, type GatewayAdapter, type GatewayEvent, type GatewayPayment } from '../types';
import { exactJsonNumber } from '../../domain/money';
import { ccRequest } from './api';
import { verifyPostbackToken } from './postback';
import { bareInvoiceId, createdInvoice, fullInvoiceId, invoiceInfo, postbackBody, toPaymentState, type InvoiceInfo } from './wire';

const INFO_BATCH = 100; // the documented maximum of uuids per info call

async function info(...args: Parameters<typeof ccRequest>): Promise<InvoiceInfo[]> {
  const result = await ccRequest<unknown[]>(...args);
  return (Array.isArray(result) ? result : []).map((r) => invoiceInfo.parse(r));
}

const unsupported = (what: string) => async (): Promise<never> => {
  throw new GatewayError(`CryptoCloud has no ${what}`, false);
};

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType.includes('json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

/** What the invoice's confirmed status means, as an event for the payment it belongs to. */
function eventOf(i: InvoiceInfo, fallbackOrderId?: string): GatewayEvent {
  const invoiceId = i.order_id ?? fallbackOrderId;
  const state = toPaymentState(i);
  const received = { receivedCrypto: i.received ?? '0', receivedUsd: i.received_usd ?? '0', cryptoInvoice: fullInvoiceId(i.uuid) };
  switch (i.status) {
    case 'overpaid':
      if (state.status !== 'confirmed') break;
      return {
        kind: 'confirmed', invoiceId, amount: state.amount, currency: state.currency, transactionId: state.transactionId,
        note: `overpaid: received ${received.receivedCrypto} (${received.receivedUsd} USD); the invoiced amount is credited, the excess is for manual handling`,
        details: { ...received, overpaid: 'true' },
      };
    case 'paid':
      if (state.status !== 'confirmed') break;
      return { kind: 'confirmed', invoiceId, amount: state.amount, currency: state.currency, transactionId: state.transactionId, details: received };
    case 'partial':
      return { kind: 'progress', invoiceId, note: `partially paid: received ${received.receivedCrypto} (${received.receivedUsd} USD) so far; not credited`, details: received };
    case 'canceled':
      return { kind: 'cancelled', invoiceId, transactionId: fullInvoiceId(i.uuid), amount: i.amount_in_fiat ?? '0' };
  }
  return { kind: 'ignored', note: `invoice ${i.uuid} is ${i.status}` };
}

export const cryptoCloudAdapter: GatewayAdapter = {
  type: 'CRYPTOCLOUD',
  displayName: 'CryptoCloud',
  requiresWebhookSecret: true,
  supportsTwoStage: false,
  supportsRefunds: false,
  callbackProtocol: 'cryptocloud',
  callbackKinds: ['postback'],
  callbackSourceNetworks: [], // not documented: the allow-list does not apply
  baseUrl: (gateways) => gateways.cryptocloud.baseUrl,

  parseSettings(input) {
    const code = /^[A-Z0-9_]{2,20}$/;
    const available = input.availableCurrencies?.map((c) => c.trim().toUpperCase());
    if (available?.some((c) => !code.test(c))) throw new Error('availableCurrencies must be CryptoCloud currency codes such as USDT_TRC20, BTC, ETH');
    const fixed = input.cryptocurrency?.trim().toUpperCase();
    if (fixed && !code.test(fixed)) throw new Error('cryptocurrency must be a CryptoCloud currency code such as USDT_TRC20');
    return { ...(available?.length ? { availableCurrencies: available } : {}), ...(fixed ? { cryptocurrency: fixed } : {}) };
  },

  // The API has no harmless "who am I": credentials prove themselves on the first invoice.
  verifyCredentials: async () => true,

  async parseCallback(env, creds, request) {
    const body = postbackBody.parse(parseBody(request.rawBody, request.contentType));
    const signature = await verifyPostbackToken(creds.webhookSecret ?? '', body.token, body.invoice_id);
    if (signature !== 'VALID') return { signature };
    // The postback's own status is not trusted: ask CryptoCloud.
    const [found] = await info(env, creds, 'v2/invoice/merchant/info', { uuids: [fullInvoiceId(body.invoice_id)] });
    if (!found) return { signature, event: { kind: 'ignored', note: `invoice ${body.invoice_id} unknown to CryptoCloud` } };
    return { signature, event: eventOf(found, body.order_id) };
  },

  answerCallback: (_kind, outcome) =>
    outcome.result === 'rejected' ? { status: 401, body: { message: 'invalid token' } }
    : outcome.result === 'retry' ? { status: 503, body: { message: 'try again later' } }
    : { status: 200, body: { message: 'Postback received' } },

  async createPayment(env, creds, payment) {
    const minutes = Math.max(1, Math.ceil((payment.expiresAt.getTime() - Date.now()) / 60_000));
    const result = createdInvoice.parse(await ccRequest(env, creds, 'v2/invoice/create', {
      shop_id: creds.publicId,
      amount: exactJsonNumber(payment.amount),
      currency: payment.currency,
      order_id: payment.id,
      ...(payment.email ? { email: payment.email } : {}),
      add_fields: {
        time_to_pay: { hours: Math.floor(minutes / 60), minutes: minutes % 60 },
        ...(creds.settings?.availableCurrencies ? { available_currencies: creds.settings.availableCurrencies } : {}),
        ...(creds.settings?.cryptocurrency ? { cryptocurrency: creds.settings.cryptocurrency } : {}),
      },
    }));
    const link = /^https?:\/\//.test(result.link) ? result.link : `https://${result.link}`;
    return { paymentUrl: link, gatewayOrderId: fullInvoiceId(result.uuid), gatewayTransactionId: fullInvoiceId(result.uuid) };
  },

  async getPayment(env, creds, payment) {
    const states = await cryptoCloudAdapter.getPayments!(env, creds, [payment]);
    return states.get(payment.id) ?? { status: 'unknown' };
  },

  async getPayments(env, creds, payments: GatewayPayment[]) {
    const byInvoice = new Map(payments.filter((p) => p.gatewayOrderId).map((p) => [bareInvoiceId(p.gatewayOrderId!), p.id]));
    const states = new Map();
    const uuids = [...byInvoice.keys()].map(fullInvoiceId);
    for (let i = 0; i < uuids.length; i += INFO_BATCH) {
      for (const found of await info(env, creds, 'v2/invoice/merchant/info', { uuids: uuids.slice(i, i + INFO_BATCH) })) {
        const paymentId = byInvoice.get(bareInvoiceId(found.uuid));
        if (paymentId) states.set(paymentId, toPaymentState(found));
      }
    }
    return states;
  },

  refund: unsupported('refund API'),

  async cancel(env, creds, payment) {
    if (!payment.gatewayOrderId) return;
    await ccRequest(env, creds, 'v2/invoice/merchant/canceled', { uuid: fullInvoiceId(payment.gatewayOrderId) });
  },

  widget: () => null,
  capture: unsupported('two-stage payments'),
  void: unsupported('two-stage payments'),
};

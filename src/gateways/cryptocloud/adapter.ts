// CryptoCloud: crypto top-ups through invoices and JWT-signed postbacks. A postback is only a
// hint: the invoice's status is confirmed with invoice/merchant/info before any money moves.
import { GatewayError, type GatewayAdapter, type GatewayEvent, type GatewayPayment } from '../types';
import { exactJsonNumber } from '../../domain/money';
import { ccRequest } from './api';
import { keep, keepFields, readCallbackFields, type Keeper } from '../callback-body';
import { refuseOthers } from '../settings';
import { verifyPostbackToken } from './postback';
import { bareInvoiceId, createdInvoice, fullInvoiceId, invoiceInfo, postbackBody, toPaymentState, type InvoiceInfo } from './wire';

const INFO_BATCH = 100; // the documented maximum of uuids per info call

const ddmmyyyy = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;

/** An answer CryptoCloud should not have given is its fault, not the postback's: try again later. */
async function info(...args: Parameters<typeof ccRequest>): Promise<InvoiceInfo[]> {
  const result = await ccRequest<unknown[]>(...args);
  return (Array.isArray(result) ? result : []).map((r) => {
    const parsed = invoiceInfo.safeParse(r);
    if (!parsed.success) throw new GatewayError(`CryptoCloud invoice/merchant/info: an invoice in an unexpected shape (${parsed.error.issues[0]?.path.join('.')})`, true);
    return parsed.data;
  });
}

/** What is stored of a postback: never the token, nothing about the payer. */
const KEPT: Readonly<Record<string, Keeper>> = {
  status: keep.code, invoice_id: keep.id, order_id: keep.id, amount_crypto: keep.amount, currency: keep.code,
};

/** What the invoice's confirmed status means, as an event for the payment it belongs to. */
function eventOf(i: InvoiceInfo): GatewayEvent {
  const invoiceId = i.order_id ?? undefined;
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
  api: { env: 'CRYPTOCLOUD_API_URL', default: 'https://api.cryptocloud.plus' },
  environments: ['LIVE', 'TEST'],
  // The fiat currencies invoice/create takes (docs/gateways.md 2); CryptoCloud converts to crypto.
  currencies: ['USD', 'UZS', 'KGS', 'KZT', 'AMD', 'AZN', 'BYN', 'AUD', 'TRY', 'AED', 'CAD', 'CNY', 'HKD', 'IDR', 'INR', 'JPY', 'PHP', 'SGD', 'THB', 'VND', 'MYR', 'RUB', 'UAH', 'EUR', 'GBP'],
  webhookSecret: 'required', // postbacks are signed with the project's postback secret, not the API key
  callbacks: { protocol: 'cryptocloud', kinds: ['postback'], sourceNetworks: [] }, // none documented: the allow-list does not apply

  settings(input) {
    const refused = refuseOthers(this.type, input, ['availableCurrencies', 'cryptocurrency']);
    if (refused) return refused;
    const code = /^[A-Z0-9_]{2,20}$/;
    const available = input.availableCurrencies?.map((c) => c.trim().toUpperCase());
    if (available?.some((c) => !code.test(c))) return { ok: false, field: 'availableCurrencies', message: 'availableCurrencies must be CryptoCloud currency codes such as USDT_TRC20, BTC, ETH' };
    const fixed = input.cryptocurrency?.trim().toUpperCase();
    if (fixed && !code.test(fixed)) return { ok: false, field: 'cryptocurrency', message: 'cryptocurrency must be a CryptoCloud currency code such as USDT_TRC20' };
    return { ok: true, settings: { ...(available?.length ? { availableCurrencies: available } : {}), ...(fixed ? { cryptocurrency: fixed } : {}) } };
  },

  // A read that needs a valid API key and changes nothing: today's invoice statistics.
  async verifyCredentials(env, creds) {
    try {
      const today = ddmmyyyy(new Date());
      await ccRequest(env, creds, 'v2/invoice/merchant/statistics', { start: today, end: today });
      return true;
    } catch (err) {
      if (err instanceof GatewayError && err.unauthorized) return false;
      throw err;
    }
  },

  async parseCallback(env, creds, request) {
    const read = readCallbackFields(request.rawBody, request.contentType);
    const fields = read.ok ? read.fields : {};
    const kept = keepFields(fields, KEPT);
    const token = await verifyPostbackToken(creds.webhookSecret ?? '', fields.token);
    if (token.verdict !== 'VALID') return { verdict: token.verdict, problem: token.problem, kept };
    if (!read.ok) return { verdict: 'UNREADABLE', problem: read.problem, kept };
    // The token signs the invoice id only, not the body: a body whose invoice_id is not the token's
    // (missing or junk included) is a captured token replayed, not the gateway's word.
    const named = typeof fields.invoice_id === 'string' || typeof fields.invoice_id === 'number' ? String(fields.invoice_id) : '';
    if (bareInvoiceId(token.invoiceId) !== bareInvoiceId(named)) {
      return { verdict: 'INVALID', problem: 'the token was issued for another invoice', kept };
    }
    const body = postbackBody.safeParse(fields);
    if (!body.success) return { verdict: 'UNREADABLE', problem: 'invoice_id is malformed', kept };
    // The postback's own status is not trusted, nor its order_id: ask CryptoCloud.
    let found: InvoiceInfo | undefined;
    try {
      [found] = await info(env, creds, 'v2/invoice/merchant/info', { uuids: [fullInvoiceId(body.data.invoice_id)] });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return { verdict: 'VALID', retryLater: `could not confirm the invoice with CryptoCloud: ${err.message}`, kept };
    }
    if (!found) return { verdict: 'VALID', event: { kind: 'ignored', note: `invoice ${body.data.invoice_id} unknown to CryptoCloud` }, kept };
    return { verdict: 'VALID', event: eventOf(found), kept };
  },

  answerCallback: (_kind, outcome) =>
    outcome.result === 'rejected' ? { status: 401, body: { message: 'invalid token' } }
    : outcome.result === 'unreadable' ? { status: 200, body: { message: 'Postback received; kept for manual handling' } }
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


  async cancel(env, creds, payment) {
    if (!payment.gatewayOrderId) return;
    await ccRequest(env, creds, 'v2/invoice/merchant/canceled', { uuid: fullInvoiceId(payment.gatewayOrderId) });
  },

};

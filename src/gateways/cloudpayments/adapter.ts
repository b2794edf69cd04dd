// CloudPayments: payment links (orders/create), notifications (Check/Pay/Fail/…), refunds,
// and v2/payments/find for expiry and reconciliation. SANDBOX reuses this adapter whole.
import { GatewayError, type CallbackOutcome, type DeclineReason, type GatewayAdapter, type GatewayPaymentState, type GatewaySubscription, type SharedCallbackRef, type SubscriptionResult } from '../types';
import type { SubscriptionInterval } from '../../generated/prisma/enums';
import { statusFromGateway } from '../../domain/subscriptions';
import { cpRequest, type Envelope } from './api';
import { readCallbackFields } from '../callback-body';
import { refuseOthers } from '../settings';
import { NOTIFICATION_KINDS } from './notifications';
import { verifyNotification } from './signature';
import { exactJsonNumber } from '../../domain/money';
import { classifyNotification, cpDate, fiscalDataOf, keptFields, toGatewayEvent } from './wire';

/** Check answer codes (docs/gateways.md 1.3). */
const CHECK_CODES: Record<DeclineReason, number> = {
  UNKNOWN_INVOICE: 10,
  ACCOUNT_MISMATCH: 11,
  AMOUNT_MISMATCH: 12,
  NOT_PAYABLE: 13,
  WRONG_ENVIRONMENT: 13,
  EXPIRED: 20,
};

interface FoundTransaction {
  TransactionId: number | string;
  Amount: number | string;
  Currency: string;
  Status: string;
  Reason?: string | null;
  ReasonCode?: number | string | null;
  TestMode?: boolean | null;
  TotalFee?: number | string | null;
}

function mapFound(t: FoundTransaction): GatewayPaymentState {
  const transactionId = String(t.TransactionId);
  const status = t.Status;
  const testMode = typeof t.TestMode === 'boolean' ? t.TestMode : undefined;
  // The fee as given (the book judges it), like a Pay's.
  const fee = t.TotalFee === undefined || t.TotalFee === null ? {} : { fee: String(t.TotalFee).slice(0, 40) };
  switch (status) {
    case 'Completed':
      return { status: 'confirmed', transactionId, amount: String(t.Amount), currency: t.Currency, testMode, ...fee };
    case 'Authorized':
      return { status: 'authorized', transactionId, amount: String(t.Amount), currency: t.Currency, testMode, ...fee };
    case 'Declined':
      return { status: 'failed', transactionId, reason: t.Reason ?? 'Declined', reasonCode: t.ReasonCode == null ? undefined : String(t.ReasonCode) };
    case 'Cancelled':
      return { status: 'cancelled' };
    case 'AwaitingAuthentication': // the payer is at the 3-D Secure step: not decided yet
      return { status: 'pending' };
    default:
      return { status: 'unknown' };
  }
}

const INTERVALS: Record<SubscriptionInterval, string> = { DAY: 'Day', WEEK: 'Week', MONTH: 'Month' };

/** The subscription Model (docs/gateways.md 1.2). */
interface SubscriptionModel {
  Id: string;
  AccountId: string;
  Amount: number | string;
  Currency: string;
  Status: string;
  Interval?: string;
  Period?: number | string;
  StartDateIso?: string;
  StartDate?: string;
  SuccessfulTransactionsNumber?: number | string;
  FailedTransactionsNumber?: number | string;
  LastTransactionDateIso?: string | null;
  LastTransactionDate?: string | null;
  NextTransactionDateIso?: string | null;
  NextTransactionDate?: string | null;
}

const dateOf = (iso: unknown, other: unknown) => cpDate(iso) ?? cpDate(other);

function mapSubscription(m: SubscriptionModel): GatewaySubscription {
  const interval = (Object.entries(INTERVALS).find(([, v]) => v === m.Interval)?.[0] ?? null) as SubscriptionInterval | null;
  return {
    id: String(m.Id), accountId: String(m.AccountId), status: statusFromGateway(String(m.Status)), statusText: String(m.Status).slice(0, 32),
    amount: String(m.Amount), currency: String(m.Currency), interval, period: Number(m.Period ?? 0),
    startDate: dateOf(m.StartDateIso, m.StartDate),
    successfulCharges: Number(m.SuccessfulTransactionsNumber ?? 0), failedCharges: Number(m.FailedTransactionsNumber ?? 0),
    lastTransactionAt: dateOf(m.LastTransactionDateIso, m.LastTransactionDate), nextChargeAt: dateOf(m.NextTransactionDateIso, m.NextTransactionDate),
  };
}

function subscriptionAnswer(res: Envelope<SubscriptionModel>, method: string): SubscriptionResult {
  if (!res.Success) return { ok: false, reason: (res.Message ?? `${method} refused`).slice(0, 200) };
  if (!res.Model?.Id) throw new GatewayError(`CloudPayments ${method}: no subscription in the answer`, false);
  return { ok: true, subscription: mapSubscription(res.Model) };
}

/** The kind and what a notification names, from its own fields (Refund names its payment by PaymentTransactionId). */
function locateNotification(request: { rawBody: Buffer; contentType: string }): SharedCallbackRef | null {
  const read = readCallbackFields(request.rawBody, request.contentType);
  if (!read.ok) return null;
  const kind = classifyNotification(read.fields);
  if (!kind) return null;
  const text = (name: string) => {
    const v = read.fields[name];
    return (typeof v === 'string' || typeof v === 'number') && String(v).trim() && String(v).length <= 128 ? String(v).trim() : undefined;
  };
  const transactionIds = [text('PaymentTransactionId'), text('TransactionId')].filter((v): v is string => v !== undefined);
  return { kind, invoiceId: text('InvoiceId'), transactionIds, kept: keptFields(read.fields) };
}

/** A header sent twice is not one signature. */
const singleHeader = (h: string | string[] | undefined) => (Array.isArray(h) ? h.join(', ') : h);

export const cloudPaymentsAdapter: GatewayAdapter = {
  type: 'CLOUDPAYMENTS',
  displayName: 'CloudPayments',
  api: { env: 'CLOUDPAYMENTS_API_URL', default: 'https://api.cloudpayments.ru' },
  // A CloudPayments site is live or in test mode (its dashboard's switch): both are possible here.
  environments: ['LIVE', 'TEST'],
  // CP-DOCS "Список валют" (docs/gateways.md 1.5), without the obsolete BYR.
  currencies: ['RUB', 'EUR', 'USD', 'GBP', 'UAH', 'BYN', 'KZT', 'AZN', 'CHF', 'CZK', 'CAD', 'PLN', 'SEK', 'TRY', 'CNY', 'INR', 'BRL', 'ZAR', 'UZS', 'BGN', 'RON', 'AUD', 'HKD', 'GEL', 'KGS', 'AMD', 'AED'],
  webhookSecret: 'unused', // notifications are signed with the API Secret
  callbacks: {
    protocol: 'cloudpayments',
    kinds: NOTIFICATION_KINDS,
    // CP-DOCS "Проверка уведомлений" (docs/gateways.md 1.3).
    sourceNetworks: ['185.98.81.0/28', '87.251.91.160/27', '46.46.175.96/27', '46.46.168.160/27', '162.55.174.97/32', '91.216.178.243/32'],
    // The IZI document sets one URL for Check and Pay in the dashboard.
    shared: { locate: locateNotification },
  },

  settings(input) {
    return refuseOthers(this.type, input, ['twoStage']) ?? { ok: true, twoStage: input.twoStage, settings: {} };
  },

  async verifyCredentials(env, creds) {
    try {
      const res = await cpRequest(env, creds, 'test', {});
      return res.Success;
    } catch (err) {
      if (err instanceof GatewayError && err.unauthorized) return false;
      throw err;
    }
  },

  async parseCallback(_env, creds, request) {
    const signature = verifyNotification(creds.apiSecret, request.rawBody, singleHeader(request.headers['content-hmac']));
    // Read only to keep the allow-listed fields of what was sent; nothing is decided on it unsigned.
    const read = readCallbackFields(request.rawBody, request.contentType);
    const kept = read.ok ? keptFields(read.fields) : {};
    if (signature !== 'VALID') {
      return { verdict: signature, problem: signature === 'MISSING' ? 'no Content-HMAC header' : 'Content-HMAC does not match the body', kept };
    }
    if (!read.ok) return { verdict: 'UNREADABLE', problem: read.problem, kept };
    const kind = classifyNotification(read.fields);
    if (!kind) return { verdict: 'UNREADABLE', problem: 'its fields match no CloudPayments notification', kept };
    if (kind !== request.kind) return { verdict: 'INVALID', problem: `a ${kind} notification posted to the ${request.kind} URL`, kept };
    const parsed = toGatewayEvent(kind, read.fields);
    return parsed.ok ? { verdict: 'VALID', event: parsed.event, kept } : { verdict: 'UNREADABLE', problem: parsed.problem, kept };
  },

  answerCallback(kind, outcome: CallbackOutcome) {
    if (outcome.result === 'rejected') return { status: 401, body: { code: 13 } };
    // Any answer but {"code":0} makes CloudPayments send the notification again later.
    if (outcome.result === 'retry') return { status: 503, body: { code: 1 } };
    if (kind === 'check' && outcome.result === 'declined') return { status: 200, body: { code: CHECK_CODES[outcome.reason] } };
    // A Check we cannot read lets nothing through; any other kind is taken (code 0) so the
    // gateway stops repeating it, and is kept for a person.
    if (kind === 'check' && outcome.result === 'unreadable') return { status: 200, body: { code: CHECK_CODES.NOT_PAYABLE } };
    return { status: 200, body: { code: 0 } };
  },

  async createPayment(env, creds, payment) {
    const failUrl = payment.returnUrl ? withQuery(payment.returnUrl, 'status', 'failed') : undefined;
    const res = await cpRequest<{ Id: string; Url: string }>(env, creds, 'orders/create', {
      Amount: exactJsonNumber(payment.amount),
      Currency: payment.currency,
      Description: payment.description ?? 'Balance top-up',
      InvoiceId: payment.id,
      AccountId: payment.clientId,
      Email: payment.email ?? undefined,
      RequireConfirmation: creds.twoStage,
      SuccessRedirectUrl: payment.returnUrl ?? undefined,
      FailRedirectUrl: failUrl,
      // CloudPayments issues a token when the site saves cards; the consent travels with the order (the sandbox honours it).
      JsonData: { paygatePaymentId: payment.id, ...(payment.saveCard ? { saveCard: true } : {}) },
    }, { requestId: `create-${payment.id}` });
    if (!res.Success || !res.Model?.Url) throw new GatewayError(`CloudPayments orders/create: ${res.Message ?? 'no payment link'}`, false);
    return { paymentUrl: res.Model.Url, gatewayOrderId: res.Model.Id };
  },

  async getPayment(env, creds, payment) {
    const res = await cpRequest<FoundTransaction>(env, creds, 'v2/payments/find', { InvoiceId: payment.id });
    if (!res.Success || !res.Model) return { status: 'unpaid' }; // "Not found": no transaction for this invoice
    return mapFound(res.Model);
  },

  async refund(env, creds, payment, refund) {
    if (!payment.gatewayTransactionId) return { ok: false, reason: 'the payment has no gateway transaction to refund' };
    const res = await cpRequest<{ TransactionId: number | string }>(env, creds, 'payments/refund', {
      TransactionId: Number(payment.gatewayTransactionId),
      Amount: exactJsonNumber(refund.amount),
      JsonData: { paygateRefundId: refund.id },
    }, { requestId: refund.id });
    if (!res.Success || res.Model?.TransactionId === undefined) return { ok: false, reason: res.Message ?? 'refund refused' };
    return { ok: true, gatewayRefundId: String(res.Model.TransactionId) };
  },

  // The CloudPayments widget (Apple Pay / Google Pay in place): its externalId comes back in
  // notifications as InvoiceId, so widget payments land on the same payment as the link.
  widget: (creds, payment) => ({
    publicId: creds.publicId,
    amount: payment.amount,
    currency: payment.currency,
    description: payment.description ?? 'Balance top-up',
    invoiceId: payment.id,
    externalId: payment.id,
    accountId: payment.clientId,
    email: payment.email,
    paymentSchema: creds.twoStage ? 'Dual' : 'Single',
    tokenize: payment.saveCard === true,
  }),

  // payments/tokens/charge (docs/gateways.md 1.2): the request id is the payment's, so a retry is the same charge.
  async chargeToken(env, creds, payment, token, initiator) {
    const res = await cpRequest<FoundTransaction>(env, creds, 'payments/tokens/charge', {
      Amount: exactJsonNumber(payment.amount),
      Currency: payment.currency,
      AccountId: payment.clientId,
      Token: token,
      TrInitiatorCode: initiator === 'cardholder' ? 1 : 0,
      ...(initiator === 'merchant' ? { PaymentScheduled: 0 } : {}),
      InvoiceId: payment.id,
      Description: payment.description ?? 'Balance top-up',
      Email: payment.email ?? undefined,
      JsonData: { paygatePaymentId: payment.id },
    }, { requestId: `charge-${payment.id}` });
    const m = res.Model;
    if (!m || m.TransactionId === undefined || m.TransactionId === null) {
      throw new GatewayError(`CloudPayments payments/tokens/charge: ${res.Message ?? 'no transaction in the answer'}`, false);
    }
    // A decline answers Success=false with the declined transaction (its ReasonCode). Anything
    // else without a known Status (or whose Status contradicts Success) is no answer: the payment
    // stays PENDING and the notification or reconciliation says what became of it.
    const status = m.Status ?? (!res.Success && m.ReasonCode !== undefined && m.ReasonCode !== null ? 'Declined' : undefined);
    const state = status ? mapFound({ ...m, Status: status }) : ({ status: 'unknown' } as const);
    const paid = state.status === 'confirmed' || state.status === 'authorized';
    if (state.status === 'unknown' || (state.status !== 'pending' && paid !== res.Success)) {
      throw new GatewayError(`CloudPayments payments/tokens/charge: ${m.Status ? `transaction status ${String(m.Status).slice(0, 40)}` : 'no transaction status'} with Success=${res.Success}`, false);
    }
    return state;
  },

  // subscriptions/* (docs/gateways.md 1.2). The create's request id is our subscription's: a retry is the same create.
  async createSubscription(env, creds, terms, requestId) {
    const res = await cpRequest<SubscriptionModel>(env, creds, 'subscriptions/create', {
      Token: terms.token, AccountId: terms.accountId, Description: terms.description, Email: terms.email ?? undefined,
      Amount: exactJsonNumber(terms.amount), Currency: terms.currency, RequireConfirmation: terms.requireConfirmation,
      StartDate: terms.startDate.toISOString(), Interval: INTERVALS[terms.interval], Period: terms.period,
      ...(terms.maxPeriods ? { MaxPeriods: terms.maxPeriods } : {}),
    }, { requestId });
    return subscriptionAnswer(res, 'subscriptions/create');
  },

  async getSubscription(env, creds, id) {
    const res = await cpRequest<SubscriptionModel>(env, creds, 'subscriptions/get', { Id: id });
    return res.Success && res.Model ? mapSubscription(res.Model) : null;
  },

  async findSubscriptions(env, creds, accountId) {
    const res = await cpRequest<SubscriptionModel[]>(env, creds, 'subscriptions/find', { accountId });
    if (!res.Success) throw new GatewayError(`CloudPayments subscriptions/find: ${res.Message ?? 'refused'}`, false);
    return (Array.isArray(res.Model) ? res.Model : []).map(mapSubscription);
  },

  async updateSubscription(env, creds, id, changes) {
    const res = await cpRequest<SubscriptionModel>(env, creds, 'subscriptions/update', {
      Id: id,
      ...(changes.amount !== undefined ? { Amount: exactJsonNumber(changes.amount) } : {}),
      ...(changes.description !== undefined ? { Description: changes.description } : {}),
      ...(changes.interval !== undefined ? { Interval: INTERVALS[changes.interval] } : {}),
      ...(changes.period !== undefined ? { Period: changes.period } : {}),
      ...(changes.maxPeriods !== undefined && changes.maxPeriods !== null ? { MaxPeriods: changes.maxPeriods } : {}),
    });
    return subscriptionAnswer(res, 'subscriptions/update');
  },

  async cancelSubscription(env, creds, id) {
    const res = await cpRequest(env, creds, 'subscriptions/cancel', { Id: id }, { requestId: `cancel-${id}` });
    return res.Success ? { ok: true } : { ok: false, reason: res.Message ?? 'cancel refused' };
  },

  async capture(env, creds, payment, amount) {
    if (!payment.gatewayTransactionId) return { ok: false, reason: 'the payment has no authorization to capture' };
    const res = await cpRequest(env, creds, 'payments/confirm', {
      TransactionId: Number(payment.gatewayTransactionId),
      Amount: exactJsonNumber(amount),
      JsonData: { paygatePaymentId: payment.id },
    }, { requestId: `capture-${payment.id}-${payment.gatewayTransactionId}-${amount}` }); // a replayed answer stands for this hold and amount only
    return res.Success ? { ok: true } : { ok: false, reason: res.Message ?? 'capture refused' };
  },

  async void(env, creds, payment) {
    if (!payment.gatewayTransactionId) return { ok: false, reason: 'the payment has no authorization to void' };
    const res = await cpRequest(env, creds, 'payments/void', { TransactionId: Number(payment.gatewayTransactionId) }, { requestId: `void-${payment.id}-${payment.gatewayTransactionId}` });
    return res.Success ? { ok: true } : { ok: false, reason: res.Message ?? 'void refused' };
  },

  async cancel(env, creds, payment) {
    if (!payment.gatewayOrderId) return;
    const res = await cpRequest(env, creds, 'orders/cancel', { Id: payment.gatewayOrderId }, { requestId: `cancel-${payment.id}` });
    if (!res.Success) env.log.warn({ paymentId: payment.id, message: res.Message }, 'CloudPayments orders/cancel refused');
  },

  // kkt/receipt (docs/gateways.md 1.7): amounts as JSON numbers, the request id makes a repeat one receipt.
  async issueReceipt(env, creds, receipt, requestId) {
    const c = receipt.customerReceipt;
    const amounts = Object.fromEntries(Object.entries(c.amounts).filter(([, v]) => v !== undefined).map(([k, v]) => [k, exactJsonNumber(v!)]));
    const res = await cpRequest<{ Id?: string | number; ErrorCode?: number }>(env, creds, 'kkt/receipt', {
      Inn: receipt.inn,
      Type: receipt.type === 'INCOME' ? 'Income' : 'IncomeReturn',
      ...(receipt.invoiceId ? { InvoiceId: receipt.invoiceId } : {}),
      ...(receipt.accountId ? { AccountId: receipt.accountId } : {}),
      CustomerReceipt: {
        Items: c.Items.map((i) => ({ label: i.label, price: exactJsonNumber(i.price), quantity: Number(i.quantity), amount: exactJsonNumber(i.amount), vat: i.vat, method: i.method, object: i.object })),
        taxationSystem: c.taxationSystem,
        ...(c.email ? { email: c.email } : {}),
        ...(c.phone ? { phone: c.phone } : {}),
        amounts,
      },
    }, { requestId });
    const id = res.Model?.Id;
    if (res.Success && id !== undefined && id !== null && String(id).length <= 64) return { ok: true, externalId: String(id) };
    if (res.Success) throw new GatewayError('CloudPayments kkt/receipt: queued without a receipt id', false);
    return { ok: false, reason: (res.Message ?? 'the cash register refused the receipt').slice(0, 500) };
  },

  async getReceipt(env, creds, externalId) {
    const res = await cpRequest<Record<string, unknown>>(env, creds, 'kkt/receipt/get', { Id: externalId });
    if (!res.Success || !res.Model) return null;
    return fiscalDataOf({ ...(res.Model.AdditionalData as Record<string, unknown> | undefined ?? {}), ...res.Model });
  },
};

function withQuery(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
}

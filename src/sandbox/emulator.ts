// The SANDBOX gateway's "outside world": CloudPayments test mode emulated inside Paygate.
//   POST /sandbox/api/<method>          the CloudPayments API subset our adapter uses (Basic auth)
//   GET  /sandbox/checkout/<orderId>    the hosted payment page (the order's Url)
//   POST /sandbox/checkout/<orderId>    pay with a test card: Check, then Pay or Fail, then redirect
// Card numbers live only in the request that carries them: never stored, never logged.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { NotificationKind } from '../gateways/cloudpayments/notifications';
import { Decimal, decimalFromText } from '../domain/money';
import { AUTHENTICATION_FAILED, cardType, INVALID_CARD, luhnValid, TEST_CARDS, validExpiry, type CardOutcome } from './cards';
import { buildNotification, deliver, type SandboxNotification } from './notifier';
import { checkoutPage, resultPage, threeDsPage, type CheckoutView } from './pages';
import { SandboxStore, type SandboxOrder, type SandboxTransaction } from './store';

export interface SandboxMerchant {
  gatewayId: string;
  publicId: string;
  apiSecret: string;
}

export interface SandboxOptions {
  redis: Redis;
  /** Redis key prefix (not "prefix": Fastify would take that as a route prefix). */
  keyPrefix: string;
  publicUrl: string;
  log: Logger;
  /** The SANDBOX gateway whose credentials these are (several organizations may share a publicId). */
  findMerchant(publicId: string, apiSecret: string): Promise<SandboxMerchant | null>;
  merchantByGatewayId(gatewayId: string): Promise<SandboxMerchant | null>;
  /** Hands an undelivered notification to the retry queue. */
  scheduleRetry(notification: SandboxNotification): Promise<void>;
}

/** Check answers → the ReasonCode CloudPayments records for the declined payment (gateways.md 1.3). */
const declined = (reason: string, reasonCode: number): CardOutcome => ({ result: 'declined', reason, reasonCode });
const CHECK_DECLINES: Record<number, CardOutcome> = {
  10: declined('InvalidInvoiceId', 3001),
  11: declined('InvalidAccountId', 3002),
  12: declined('InvalidAmount', 3003),
  20: declined('OutOfDate', 3004),
  13: declined('NotAccepted', 3008),
};

const utcDateTime = (d = new Date()) => d.toISOString().replace('T', ' ').slice(0, 19);

export async function sandboxEmulator(app: FastifyInstance, opts: SandboxOptions): Promise<void> {
  const store = new SandboxStore(opts.redis, opts.keyPrefix);
  const log = opts.log.child({ component: 'sandbox' });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  // ---- the CloudPayments API ------------------------------------------------------------------

  async function merchantOf(request: FastifyRequest): Promise<SandboxMerchant | null> {
    const m = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!m) return null;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return opts.findMerchant(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  type Handler = (merchant: SandboxMerchant, body: Record<string, unknown>) => Promise<{ answer: unknown; after?: () => Promise<unknown> }>;
  const api = (method: string, handler: Handler) =>
    app.post(`/sandbox/api/${method}`, async (request, reply) => {
      const merchant = await merchantOf(request);
      if (!merchant) return reply.status(401).send({ Message: 'Authorization has been denied for this request.' });
      const requestId = request.headers['x-request-id'];
      if (typeof requestId === 'string') {
        const earlier = await store.remembered(merchant.gatewayId, requestId);
        if (earlier) return earlier;
      }
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      const { answer, after } = await handler(merchant, body);
      if (typeof requestId === 'string') await store.remember(merchant.gatewayId, requestId, answer);
      if (after) setImmediate(() => void after().catch((err) => log.error({ err }, 'sandbox follow-up failed')));
      return answer;
    });
  const fail = (message: string) => ({ answer: { Success: false, Message: message } });

  api('test', async () => ({ answer: { Success: true, Message: randomUUID() } }));

  api('orders/create', async (merchant, b) => {
    const amount = decimalFromText(String(b.Amount ?? ''));
    if (!amount || amount.lte(0)) return fail('Invalid Amount value');
    if (!b.Description) return fail('Description is required');
    if (!b.InvoiceId) return fail('InvoiceId is required in the sandbox');
    const order: SandboxOrder = {
      id: randomUUID().replace(/-/g, '').slice(0, 16),
      gatewayId: merchant.gatewayId,
      invoiceId: String(b.InvoiceId),
      accountId: b.AccountId ? String(b.AccountId) : undefined,
      email: b.Email ? String(b.Email) : undefined,
      amount: amount.toFixed(2),
      currency: String(b.Currency ?? 'RUB'),
      description: String(b.Description),
      successUrl: b.SuccessRedirectUrl ? String(b.SuccessRedirectUrl) : undefined,
      failUrl: b.FailRedirectUrl ? String(b.FailRedirectUrl) : undefined,
      requireConfirmation: b.RequireConfirmation === true || b.RequireConfirmation === 'true',
      jsonData: b.JsonData && typeof b.JsonData === 'object' ? (b.JsonData as Record<string, unknown>) : undefined,
      status: 'Created',
    };
    await store.saveOrder(order);
    const url = `${opts.publicUrl}/sandbox/checkout/${order.id}`;
    return { answer: { Success: true, Message: null, Model: { Id: order.id, Amount: order.amount, Currency: order.currency, Description: order.description, Url: url, Status: 'Created', StatusCode: 0, InvoiceId: order.invoiceId } } };
  });

  api('orders/cancel', async (merchant, b) => {
    const order = await store.orderById(String(b.Id ?? ''));
    if (!order || order.gatewayId !== merchant.gatewayId) return fail('Not found');
    if (order.status === 'Created') await store.saveOrder({ ...order, status: 'Cancelled' });
    return { answer: { Success: true, Message: null } };
  });

  api('v2/payments/find', async (merchant, b) => {
    const tx = await store.latestForInvoice(merchant.gatewayId, String(b.InvoiceId ?? ''));
    if (!tx || tx.gatewayId !== merchant.gatewayId) return fail('Not found');
    return { answer: { Success: true, Message: null, Model: transactionModel(tx) } };
  });

  api('payments/refund', async (merchant, b) => {
    const found = await store.transaction(String(b.TransactionId ?? ''));
    if (!found || found.gatewayId !== merchant.gatewayId || found.operationType !== 'Payment') return fail('Transaction not found');
    const unlock = await store.lockWaiting(merchant.gatewayId, found.invoiceId);
    if (!unlock) return fail('Another operation on this payment is in progress; retry');
    try {
      return await refund(merchant, b, found.id);
    } finally {
      await unlock();
    }
  });

  async function refund(merchant: SandboxMerchant, b: Record<string, unknown>, transactionId: string) {
    const original = (await store.transaction(transactionId))!;
    if (original.status !== 'Completed') return fail('Transaction is not completed');
    const amount = decimalFromText(String(b.Amount ?? ''));
    const left = new Decimal(original.amount).minus(original.refunded);
    if (!amount || amount.lte(0) || amount.gt(left)) return fail('Invalid Amount value');
    const refundTx: SandboxTransaction = {
      ...original,
      id: await store.nextTransactionId(),
      amount: amount.toFixed(2),
      operationType: 'Refund',
      paymentTransactionId: original.id,
      refunded: '0',
      createdAt: new Date().toISOString(),
    };
    await store.saveTransaction(refundTx);
    await store.saveTransaction({ ...original, refunded: amount.plus(original.refunded).toFixed(2) });
    const order = await store.order(merchant.gatewayId, original.invoiceId);
    const data = b.JsonData && typeof b.JsonData === 'object' ? JSON.stringify(b.JsonData) : undefined;
    return {
      answer: { Success: true, Message: null, Model: { TransactionId: refundTx.id } },
      // CloudPayments sends the Refund notification after it answers.
      after: () => notify(merchant, 'refund', {
        TransactionId: refundTx.id, PaymentTransactionId: original.id, Amount: refundTx.amount, DateTime: utcDateTime(),
        OperationType: 'Refund', InvoiceId: original.invoiceId, AccountId: original.accountId, Email: order?.email, Data: data,
      }),
    };
  }

  /** Two-stage operations on an authorization, one at a time per payment like refunds. */
  const onAuthorization = (method: string, operate: (merchant: SandboxMerchant, tx: SandboxTransaction, b: Record<string, unknown>) => Promise<{ answer: unknown; after?: () => Promise<unknown> }>) =>
    api(method, async (merchant, b) => {
      const found = await store.transaction(String(b.TransactionId ?? ''));
      if (!found || found.gatewayId !== merchant.gatewayId || found.operationType !== 'Payment') return fail('Transaction not found');
      const unlock = await store.lockWaiting(merchant.gatewayId, found.invoiceId);
      if (!unlock) return fail('Another operation on this payment is in progress; retry');
      try {
        const tx = (await store.transaction(found.id))!;
        if (tx.status !== 'Authorized') return fail(`Transaction is ${tx.status}, not Authorized`);
        return await operate(merchant, tx, b);
      } finally {
        await unlock();
      }
    });

  onAuthorization('payments/confirm', async (merchant, tx, b) => {
    const amount = decimalFromText(String(b.Amount ?? ''));
    if (!amount || amount.lte(0) || amount.gt(tx.amount)) return fail('Invalid Amount value');
    const captured: SandboxTransaction = { ...tx, status: 'Completed', amount: amount.toFixed(2) };
    await store.saveTransaction(captured);
    const order = await store.order(merchant.gatewayId, tx.invoiceId);
    return {
      answer: { Success: true, Message: null },
      after: () => notify(merchant, 'confirm', {
        TransactionId: tx.id, Amount: captured.amount, Currency: tx.currency, PaymentAmount: captured.amount, PaymentCurrency: tx.currency,
        DateTime: utcDateTime(), CardFirstSix: tx.cardFirstSix, CardLastFour: tx.cardLastFour, CardType: tx.cardType, TestMode: 1,
        Status: 'Completed', InvoiceId: tx.invoiceId, AccountId: tx.accountId, Email: order?.email,
      }),
    };
  });

  onAuthorization('payments/void', async (merchant, tx) => {
    await store.saveTransaction({ ...tx, status: 'Cancelled' });
    return {
      answer: { Success: true, Message: null },
      after: () => notify(merchant, 'cancel', { TransactionId: tx.id, Amount: tx.amount, DateTime: utcDateTime(), InvoiceId: tx.invoiceId, AccountId: tx.accountId }),
    };
  });

  function transactionModel(tx: SandboxTransaction) {
    const statusCode = { Authorized: 2, Completed: 3, Cancelled: 4, Declined: 5 }[tx.status];
    return {
      TransactionId: tx.id, Amount: tx.amount, Currency: tx.currency, InvoiceId: tx.invoiceId, AccountId: tx.accountId,
      Status: tx.status, StatusCode: statusCode, Reason: tx.reason, ReasonCode: tx.reasonCode, TestMode: true,
      CardFirstSix: tx.cardFirstSix, CardLastFour: tx.cardLastFour, CardType: tx.cardType, CreatedDateIso: tx.createdAt.slice(0, 19),
    };
  }

  async function notify(merchant: SandboxMerchant, kind: NotificationKind, fields: Record<string, string | number | undefined>): Promise<number | null> {
    const n = buildNotification(merchant.gatewayId, kind, fields);
    const code = await deliver(opts.publicUrl, merchant.apiSecret, n, log);
    // Check is never retried: no answer declines the payment. The others are, until {"code":0}.
    if (code !== 0 && kind !== 'check') await opts.scheduleRetry(n);
    return code;
  }

  // ---- the hosted checkout ------------------------------------------------------------------

  const view = (o: SandboxOrder): CheckoutView => ({ orderId: o.id, invoiceId: o.invoiceId, amount: o.amount, currency: o.currency, description: o.description });
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  async function openOrder(orderId: string, reply: FastifyReply): Promise<SandboxOrder | null> {
    const order = await store.orderById(orderId);
    if (!order) {
      await html(reply, 404, resultPage('Payment not found', 'This payment link is unknown or has expired.'));
      return null;
    }
    if (order.status !== 'Created') {
      await html(reply, 409, resultPage(order.status === 'Paid' ? 'Already paid' : 'Payment cancelled',
        order.status === 'Paid' ? 'This order has been paid. Nothing more to do.' : 'This payment can no longer be made.'));
      return null;
    }
    return order;
  }

  app.get<{ Params: { orderId: string } }>('/sandbox/checkout/:orderId', async (request, reply) => {
    const order = await openOrder(request.params.orderId, reply);
    if (order) return html(reply, 200, checkoutPage(view(order)));
  });

  app.post<{ Params: { orderId: string }; Body: Record<string, string> }>('/sandbox/checkout/:orderId', async (request, reply) => {
    const order = await openOrder(request.params.orderId, reply);
    if (!order) return;
    const form = request.body ?? {};
    const digits = String(form.cardNumber ?? '').replace(/[\s-]/g, '');
    const expiry = String(form.expiry ?? '');
    const test = TEST_CARDS[digits];
    // Known test cards first: the seed's 4444 4444 4444 4441 does not pass the Luhn check.
    const problem = !test && !luhnValid(digits) ? 'The card number is not valid.'
      : !validExpiry(expiry) ? 'The expiry date must be MM/YY and not in the past.'
      : !/^\d{3,4}$/.test(String(form.cvc ?? '').trim()) ? 'The CVC must be 3 or 4 digits.'
      : null;
    if (problem) return html(reply, 422, checkoutPage(view(order), problem));
    const card: CardFacts = { firstSix: digits.slice(0, 6), lastFour: digits.slice(-4), type: cardType(digits), expiry: expiry.replace(/\s/g, ''), holder: String(form.cardholder ?? '').slice(0, 100) };
    if (test?.threeDs) {
      const merchant = await opts.merchantByGatewayId(order.gatewayId);
      if (!merchant) return html(reply, 404, resultPage('Payment not found', 'The merchant of this payment is gone.'));
      const state = sealState(merchant, { orderId: order.id, card, outcome: test.outcome, exp: Date.now() + 10 * 60_000 });
      return html(reply, 200, threeDsPage(view(order), state, card.lastFour));
    }
    return pay(order, card, test?.outcome ?? INVALID_CARD, request.ip, reply);
  });

  app.post<{ Params: { orderId: string }; Body: Record<string, string> }>('/sandbox/checkout/:orderId/3ds', async (request, reply) => {
    const order = await openOrder(request.params.orderId, reply);
    if (!order) return;
    const merchant = await opts.merchantByGatewayId(order.gatewayId);
    const state = merchant ? openState(merchant, String(request.body?.state ?? '')) : null;
    if (!state || state.orderId !== order.id || state.exp < Date.now()) {
      return html(reply, 400, resultPage('3-D Secure session expired', 'Start the payment again.'));
    }
    const outcome = request.body?.action === 'confirm' ? state.outcome : AUTHENTICATION_FAILED;
    return pay(order, state.card, outcome, request.ip, reply);
  });

  interface CardFacts { firstSix: string; lastFour: string; type: string; expiry: string; holder: string }
  interface ThreeDsState { orderId: string; card: CardFacts; outcome: CardOutcome; exp: number }

  // The 3-D Secure step carries what it needs in a signed hidden field: no server-side session,
  // and no full card number anywhere.
  const stateKey = (m: SandboxMerchant) => createHash('sha256').update(`sandbox-3ds:${m.apiSecret}`).digest();
  function sealState(m: SandboxMerchant, state: ThreeDsState): string {
    const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${payload}.${createHmac('sha256', stateKey(m)).update(payload).digest('base64url')}`;
  }
  function openState(m: SandboxMerchant, token: string): ThreeDsState | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac) return null;
    const expected = createHmac('sha256', stateKey(m)).update(payload).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ThreeDsState;
  }

  async function pay(order: SandboxOrder, card: CardFacts, cardOutcome: CardOutcome, ip: string, reply: FastifyReply) {
    const merchant = await opts.merchantByGatewayId(order.gatewayId);
    if (!merchant) return html(reply, 404, resultPage('Payment not found', 'The merchant of this payment is gone.'));
    const unlock = await store.lock(order.gatewayId, order.invoiceId);
    if (!unlock) return html(reply, 409, resultPage('Payment in progress', 'This payment is being processed. Refresh in a moment.'));
    try {
      // Read again under the lock: a second submit that waited must not pay a paid order.
      const current = await store.order(order.gatewayId, order.invoiceId);
      if (current?.status !== 'Created') return html(reply, 409, resultPage('Already paid', 'This order has been paid or cancelled.'));
      const transactionId = await store.nextTransactionId();
      const common = {
        TransactionId: transactionId, Amount: order.amount, Currency: order.currency, PaymentAmount: order.amount,
        PaymentCurrency: order.currency, DateTime: utcDateTime(), CardFirstSix: card.firstSix, CardLastFour: card.lastFour,
        CardType: card.type, CardExpDate: card.expiry, TestMode: 1, InvoiceId: order.invoiceId, AccountId: order.accountId,
        Email: order.email, Description: order.description, Name: card.holder || undefined, IpAddress: ip,
        Data: order.jsonData ? JSON.stringify(order.jsonData) : undefined,
      };
      const status = order.requireConfirmation ? 'Authorized' : 'Completed';
      const checkCode = await notify(merchant, 'check', { ...common, Status: status, OperationType: 'Payment' });
      const outcome: CardOutcome = checkCode === 0 ? cardOutcome
        : checkCode === null ? declined('UnableToConnect', 3007)
        : CHECK_DECLINES[checkCode] ?? declined('FormatError', 3005);
      const tx: SandboxTransaction = {
        id: transactionId, gatewayId: order.gatewayId, invoiceId: order.invoiceId, accountId: order.accountId, amount: order.amount,
        currency: order.currency, operationType: 'Payment', refunded: '0', cardFirstSix: card.firstSix, cardLastFour: card.lastFour,
        cardType: card.type, createdAt: new Date().toISOString(),
        ...(outcome.result === 'approved'
          ? { status, reason: 'Approved', reasonCode: 0 }
          : { status: 'Declined' as const, reason: outcome.reason, reasonCode: outcome.reasonCode }),
      };
      await store.saveTransaction(tx);
      if (outcome.result === 'approved') {
        await store.saveOrder({ ...order, status: 'Paid' });
        await notify(merchant, 'pay', { ...common, Status: status, OperationType: 'Payment', GatewayName: 'Test', AuthCode: 'A1B2C3', TotalFee: 0 });
        return order.successUrl ? reply.redirect(order.successUrl, 303) : html(reply, 200, resultPage('Payment successful', `${order.amount} ${order.currency} paid. You can close this page.`));
      }
      await notify(merchant, 'fail', { ...common, OperationType: 'Payment', Reason: outcome.reason, ReasonCode: outcome.reasonCode });
      return order.failUrl ? reply.redirect(order.failUrl, 303) : html(reply, 200, resultPage('Payment declined', `The bank declined the payment (${outcome.reason}).`));
    } finally {
      await unlock();
    }
  }
}

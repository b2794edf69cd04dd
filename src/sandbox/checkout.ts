// The emulated hosted payment page: card form, 3-D Secure step, then Check, Pay or Fail sent to
// Paygate exactly as CloudPayments sends them, and the redirect back to the shop.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AUTHENTICATION_FAILED, cardType, INVALID_CARD, luhnValid, TEST_CARDS, validExpiry, type CardOutcome } from './cards';
import { utcDateTime, type SandboxMerchant, type SandboxWorld } from './emulator';
import { checkoutPage, resultPage, threeDsPage, type CheckoutView } from './pages';
import type { SandboxOrder, SandboxTransaction } from './store';
import { sandboxFee } from './fee';

/** Check answers → the ReasonCode CloudPayments records for the declined payment (docs/gateways.md 1.3). */
const declined = (reason: string, reasonCode: number): CardOutcome => ({ result: 'declined', reason, reasonCode });
const CHECK_DECLINES: Record<number, CardOutcome> = {
  10: declined('InvalidInvoiceId', 3001),
  11: declined('InvalidAccountId', 3002),
  12: declined('InvalidAmount', 3003),
  20: declined('OutOfDate', 3004),
  13: declined('NotAccepted', 3008),
};

export function sandboxCheckout(app: FastifyInstance, { store, opts, notify }: SandboxWorld): void {
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
      const state = sealState(merchant, { orderId: order.id, card, outcome: test.outcome, tokenOutcome: test.tokenOutcome, exp: Date.now() + 10 * 60_000 });
      return html(reply, 200, threeDsPage(view(order), state, card.lastFour));
    }
    return pay(order, card, test?.outcome ?? INVALID_CARD, test?.tokenOutcome ?? INVALID_CARD, request.ip, reply);
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
    return pay(order, state.card, outcome, state.tokenOutcome, request.ip, reply);
  });

  interface CardFacts { firstSix: string; lastFour: string; type: string; expiry: string; holder: string }
  interface ThreeDsState { orderId: string; card: CardFacts; outcome: CardOutcome; tokenOutcome: CardOutcome; exp: number }

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

  async function pay(order: SandboxOrder, card: CardFacts, cardOutcome: CardOutcome, tokenOutcome: CardOutcome, ip: string, reply: FastifyReply) {
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
        // A site that saves cards issues a token; the sandbox does so only for a payer who agreed (the order says so).
        const token = order.jsonData?.saveCard === true ? `tk_${randomBytes(15).toString('hex')}` : undefined;
        if (token) {
          await store.saveToken({
            token, gatewayId: order.gatewayId, accountId: order.accountId, tokenOutcome, cardFirstSix: card.firstSix, cardLastFour: card.lastFour, cardType: card.type, expiry: card.expiry,
          });
        }
        await notify(merchant, 'pay', { ...common, Status: status, OperationType: 'Payment', GatewayName: 'Test', AuthCode: 'A1B2C3', TotalFee: sandboxFee(order.amount, order.currency), Token: token });
        return order.successUrl ? reply.redirect(order.successUrl, 303) : html(reply, 200, resultPage('Payment successful', `${order.amount} ${order.currency} paid. You can close this page.`));
      }
      await notify(merchant, 'fail', { ...common, OperationType: 'Payment', Reason: outcome.reason, ReasonCode: outcome.reasonCode });
      return order.failUrl ? reply.redirect(order.failUrl, 303) : html(reply, 200, resultPage('Payment declined', `The bank declined the payment (${outcome.reason}).`));
    } finally {
      await unlock();
    }
  }
}

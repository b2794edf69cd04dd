// The emulated CloudPayments API (Basic auth with the merchant's Public ID and API Secret): the
// subset our adapter calls. An X-Request-ID is answered once, as CloudPayments does.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Decimal, decimalFromText } from '../domain/money';
import { utcDateTime, type SandboxMerchant, type SandboxWorld } from './emulator';
import type { SandboxOrder, SandboxTransaction } from './store';
import { sandboxFee } from './fee';
import { sandboxSubscriptionApi, type SandboxSubscriptions } from './subscriptions';
import { sandboxKassa } from './kassa';

export function sandboxApi(app: FastifyInstance, world: SandboxWorld, subscriptions: SandboxSubscriptions): void {
  const { store, log, opts, notify } = world;
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
  sandboxSubscriptionApi(api, world, subscriptions);

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

  // One-click and recurring charges of a saved card: the card decides (cards.ts tokenOutcome); the
  // Pay or Fail notification follows the answer, as CloudPayments sends them.
  api('payments/tokens/charge', async (merchant, b) => {
    const amount = decimalFromText(String(b.Amount ?? ''));
    if (!amount || amount.lte(0)) return fail('Invalid Amount value');
    if (b.TrInitiatorCode !== 0 && b.TrInitiatorCode !== 1 && b.TrInitiatorCode !== '0' && b.TrInitiatorCode !== '1') return fail('TrInitiatorCode is required');
    if (!b.AccountId) return fail('AccountId is required');
    if (!b.InvoiceId) return fail('InvoiceId is required in the sandbox');
    const saved = await store.token(merchant.gatewayId, String(b.Token ?? ''));
    if (!saved || (saved.accountId !== undefined && saved.accountId !== String(b.AccountId))) return fail('Token not found');
    const invoiceId = String(b.InvoiceId);
    const unlock = await store.lockWaiting(merchant.gatewayId, invoiceId);
    if (!unlock) return fail('Another operation on this payment is in progress; retry');
    try {
      // An invoice is charged once: a repeated charge answers the transaction it made.
      const earlier = await store.latestForInvoice(merchant.gatewayId, invoiceId);
      if (earlier) return { answer: { Success: earlier.status === 'Completed', Message: null, Model: transactionModel(earlier) } };
      const outcome = saved.tokenOutcome;
      const tx: SandboxTransaction = {
        id: await store.nextTransactionId(), gatewayId: merchant.gatewayId, invoiceId, accountId: String(b.AccountId), amount: amount.toFixed(2),
        currency: String(b.Currency ?? 'RUB'), operationType: 'Payment', refunded: '0', cardFirstSix: saved.cardFirstSix, cardLastFour: saved.cardLastFour,
        cardType: saved.cardType, createdAt: new Date().toISOString(),
        ...(outcome.result === 'approved' ? { status: 'Completed' as const, reason: 'Approved', reasonCode: 0 } : { status: 'Declined' as const, reason: outcome.reason, reasonCode: outcome.reasonCode }),
      };
      await store.saveTransaction(tx);
      const data = b.JsonData && typeof b.JsonData === 'object' ? JSON.stringify(b.JsonData) : undefined;
      const common = {
        TransactionId: tx.id, Amount: tx.amount, Currency: tx.currency, PaymentAmount: tx.amount, PaymentCurrency: tx.currency, DateTime: utcDateTime(),
        CardFirstSix: saved.cardFirstSix, CardLastFour: saved.cardLastFour, CardType: saved.cardType, CardExpDate: saved.expiry, TestMode: 1,
        InvoiceId: invoiceId, AccountId: tx.accountId, Email: b.Email ? String(b.Email) : undefined, Description: b.Description ? String(b.Description) : undefined, Data: data,
      };
      const approved = outcome.result === 'approved';
      return {
        answer: { Success: approved, Message: null, Model: { ...transactionModel(tx), ...(approved ? {} : { CardHolderMessage: 'Insufficient funds on the card' }) } },
        after: () => approved
          ? notify(merchant, 'pay', { ...common, Status: 'Completed', OperationType: 'Payment', GatewayName: 'Test', AuthCode: 'A1B2C3', TotalFee: 0, Token: saved.token })
          : notify(merchant, 'fail', { ...common, OperationType: 'Payment', Reason: tx.reason, ReasonCode: tx.reasonCode }),
      };
    } finally {
      await unlock();
    }
  });

  function transactionModel(tx: SandboxTransaction) {
    const statusCode = { Authorized: 2, Completed: 3, Cancelled: 4, Declined: 5 }[tx.status];
    return {
      TransactionId: tx.id, Amount: tx.amount, Currency: tx.currency, InvoiceId: tx.invoiceId, AccountId: tx.accountId,
      Status: tx.status, StatusCode: statusCode, Reason: tx.reason, ReasonCode: tx.reasonCode, TestMode: true,
      CardFirstSix: tx.cardFirstSix, CardLastFour: tx.cardLastFour, CardType: tx.cardType, CreatedDateIso: tx.createdAt.slice(0, 19),
      ...(tx.status === 'Completed' || tx.status === 'Authorized' ? { TotalFee: sandboxFee(tx.amount, tx.currency) } : {}),
    };
  }

  sandboxKassa(api, { store, notify });
}

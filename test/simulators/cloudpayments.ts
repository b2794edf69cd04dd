// A CloudPayments stand-in on loopback for tests: the documented API subset Paygate uses, with
// HTTP Basic auth, the {Success, Message, Model} envelope, 401s, a 429 past 5 concurrent requests
// (test terminals), X-Request-ID replay, and notifications sent the way the real service sends them.
import { createHmac, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { shapeFor } from '../helpers/callbacks';

interface Order { Id: string; InvoiceId?: string; AccountId?: string; Amount: number; Currency: string; Description: string; Email?: string; RequireConfirmation: boolean; Status: 'Created' | 'Paid' | 'Cancelled' }
interface Txn { TransactionId: number; InvoiceId?: string; AccountId?: string; Amount: number; Currency: string; Status: 'Authorized' | 'Completed' | 'Declined' | 'Cancelled'; Refunded: number; Reason?: string; ReasonCode?: number; TotalFee?: number | string }

/** .NET HttpUtility.UrlEncode: lower-case escapes, "+" for spaces. */
export function dotNetForm(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v)).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()).replace(/%20/g, '+')}`).join('&');
}

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text, 'utf8').digest('base64');

export class CloudPaymentsSimulator {
  readonly requests: Array<{ path: string; body: any; requestId?: string; status: number }> = [];
  readonly orders = new Map<string, Order>();
  readonly transactions = new Map<number, Txn>();
  private readonly replies = new Map<string, unknown>();
  private nextId = 900_000_000;
  private inFlight = 0;
  /** Milliseconds each API call takes (to provoke the 429). */
  delayMs = 0;
  /** Saved cards: token → the account it belongs to and whether charges of it are approved. */
  readonly tokens = new Map<string, { accountId: string; approve: boolean }>();
  /** CloudKassir: receipts taken by kkt/receipt (Id → its request), printed once printReceipt is called. */
  readonly receipts = new Map<string, { body: any; printed: boolean }>();
  /** Fields left out of the Model of a token charge's answer (the transaction is still booked): an odd answer. */
  omitFromCharge: string[] = [];
  /** Runs after a token charge is booked and before it is answered (to send its notification first). */
  beforeChargeAnswer?: (answer: any) => Promise<void>;
  /** Calls to these paths are carried out, then the connection is cut before the answer (a timeout as the caller sees it). */
  private readonly dropped = new Map<string, number>();
  app: FastifyInstance = Fastify();
  url = '';

  constructor(private readonly merchants: Record<string, string>) {}

  async start(): Promise<this> {
    this.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    this.app.post('/*', async (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      const record = { path, body: request.body, requestId: request.headers['x-request-id'] as string | undefined, status: 200 };
      this.requests.push(record);
      const [login, password] = Buffer.from(String(request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      if (!login || this.merchants[login] !== password) {
        record.status = 401;
        return reply.status(401).send({ Message: 'Authorization has been denied for this request.' });
      }
      if (this.inFlight >= 5) {
        record.status = 429;
        return reply.status(429).send({ Message: 'Too many requests' });
      }
      this.inFlight++;
      try {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        const key = record.requestId && `${login}:${record.requestId}`;
        const answer = key && this.replies.has(key) ? this.replies.get(key) : this.handle(path, (request.body ?? {}) as Record<string, any>);
        if (key) this.replies.set(key, answer);
        if (path === 'payments/tokens/charge' && this.beforeChargeAnswer) await this.beforeChargeAnswer(answer);
        const drops = this.dropped.get(path) ?? 0;
        if (drops > 0) {
          this.dropped.set(path, drops - 1);
          record.status = 0;
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        }
        return answer;
      } finally {
        this.inFlight--;
      }
    });
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as { port: number }).port}`;
    return this;
  }

  stop() {
    return this.app.close();
  }

  /** The next `count` calls to `path` are carried out but never answered. */
  dropAnswers(path: string, count: number) {
    this.dropped.set(path, count);
  }

  private handle(path: string, b: Record<string, any>): unknown {
    const ok = (Model?: unknown) => ({ Success: true, Message: null, ...(Model === undefined ? {} : { Model }) });
    const fail = (Message: string) => ({ Success: false, Message });
    switch (path) {
      case 'test':
        return { Success: true, Message: randomUUID() };
      case 'orders/create': {
        if (!(Number(b.Amount) > 0)) return fail('Invalid Amount value');
        const order: Order = { Id: randomUUID().slice(0, 16), InvoiceId: b.InvoiceId, AccountId: b.AccountId, Amount: Number(b.Amount), Currency: b.Currency ?? 'RUB', Description: b.Description, Email: b.Email, RequireConfirmation: !!b.RequireConfirmation, Status: 'Created' };
        this.orders.set(order.Id, order);
        return ok({ ...order, Url: `https://orders.cloudpayments.ru/d/${order.Id}`, StatusCode: 0 });
      }
      case 'orders/cancel': {
        const order = this.orders.get(b.Id);
        if (!order) return fail('Not found');
        order.Status = 'Cancelled';
        return ok();
      }
      case 'v2/payments/find': {
        const found = [...this.transactions.values()].filter((t) => String(t.InvoiceId) === String(b.InvoiceId)).at(-1);
        return found ? ok({ ...found, StatusCode: { Authorized: 2, Completed: 3, Cancelled: 4, Declined: 5 }[found.Status] }) : fail('Not found');
      }
      case 'payments/refund': {
        const t = this.transactions.get(Number(b.TransactionId));
        if (!t || t.Status !== 'Completed' || Number(b.Amount) > t.Amount - t.Refunded) return fail('Invalid Amount value');
        t.Refunded += Number(b.Amount);
        return ok({ TransactionId: ++this.nextId });
      }
      case 'payments/confirm': {
        const t = this.transactions.get(Number(b.TransactionId));
        if (!t || t.Status !== 'Authorized') return fail('Transaction not found');
        Object.assign(t, { Status: 'Completed', Amount: Number(b.Amount) });
        return ok();
      }
      case 'payments/tokens/charge': {
        if (!(Number(b.Amount) > 0)) return fail('Invalid Amount value');
        if (b.TrInitiatorCode !== 0 && b.TrInitiatorCode !== 1) return fail('TrInitiatorCode is required');
        const saved = this.tokens.get(b.Token);
        if (!saved || saved.accountId !== b.AccountId) return fail('Token not found');
        const t: Txn = {
          TransactionId: ++this.nextId, InvoiceId: b.InvoiceId, AccountId: b.AccountId, Amount: Number(b.Amount), Currency: b.Currency ?? 'RUB', Refunded: 0,
          ...(saved.approve ? { Status: 'Completed' as const, Reason: 'Approved', ReasonCode: 0 } : { Status: 'Declined' as const, Reason: 'InsufficientFunds', ReasonCode: 5051 }),
        };
        this.transactions.set(t.TransactionId, t);
        const model: Record<string, unknown> = { ...t, StatusCode: saved.approve ? 3 : 5, TestMode: false, CardFirstSix: '424242', CardLastFour: '4242', CardType: 'Visa' };
        for (const field of this.omitFromCharge) delete model[field];
        return saved.approve ? ok(model) : { Success: false, Message: null, Model: model };
      }
      case 'kkt/receipt': {
        const items = b.CustomerReceipt?.Items;
        if (!/^\d{10}(\d{2})?$/.test(String(b.Inn ?? '')) || !['Income', 'IncomeReturn'].includes(b.Type) || !Array.isArray(items) || !items.length) {
          return { Model: { ErrorCode: -1 }, Success: false, Message: 'Invalid receipt' };
        }
        const Id = randomUUID().replace(/-/g, '').slice(0, 20);
        this.receipts.set(Id, { body: b, printed: false });
        return { Model: { Id, ErrorCode: 0 }, Success: true, Message: 'Queued' };
      }
      case 'kkt/receipt/get': {
        const r = this.receipts.get(String(b.Id));
        if (!r) return fail('Receipt not found');
        const printed = r.printed ? { AdditionalData: { DocumentNumber: '41', FiscalNumber: '9289000100414427', FiscalSign: '2591637004', OfdReceiptUrl: `https://ofd.example/receipt/${b.Id}`, QrCodeUrl: `https://ofd.example/qr/${b.Id}`, Type: r.body.Type } } : {};
        return ok({ Id: b.Id, Status: r.printed ? 'Processed' : 'Queued', Items: r.body.CustomerReceipt.Items, ...printed });
      }
      case 'payments/void': {
        const t = this.transactions.get(Number(b.TransactionId));
        if (!t || t.Status !== 'Authorized') return fail('Transaction not found');
        t.Status = 'Cancelled';
        return ok();
      }
      default:
        return fail(`unknown method ${path}`);
    }
  }

  /** The register prints a receipt it took: kkt/receipt/get shows its fiscal data from now on. */
  printReceipt(id: string) {
    this.receipts.get(id)!.printed = true;
  }

  /** A payer pays the order of this invoice: the simulator books the transaction (no notification). */
  payInvoice(invoiceId: string, status: 'Completed' | 'Authorized' = 'Completed'): Txn {
    const order = [...this.orders.values()].find((o) => o.InvoiceId === invoiceId);
    if (!order) throw new Error(`no order for ${invoiceId}`);
    const t: Txn = { TransactionId: ++this.nextId, InvoiceId: invoiceId, AccountId: order.AccountId, Amount: order.Amount, Currency: order.Currency, Status: status, Refunded: 0 };
    this.transactions.set(t.TransactionId, t);
    order.Status = 'Paid';
    return t;
  }

  /**
   * Sends a notification as CloudPayments does: the fields of the URL's kind (a Check carries no
   * GatewayName, …), .NET form encoding (or JSON) and both HMAC headers.
   */
  async notify(url: string, publicId: string, fields: Record<string, string | number | undefined>, { json = false } = {}) {
    const secret = this.merchants[publicId];
    const shaped = shapeFor(url.split('/').at(-1) ?? '', fields);
    const body = json ? JSON.stringify(shaped) : dotNetForm(shaped);
    const decoded = json ? body : decodeURIComponent(body.replace(/\+/g, ' '));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', 'Content-HMAC': hmac(secret, body), 'X-Content-HMAC': hmac(secret, decoded) },
      body,
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
}

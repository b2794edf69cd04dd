// The sandbox's own books, as CloudPayments would keep them: orders and transactions in Redis
// (the sandbox is a test double of an outside service; Paygate's truth stays in Postgres).
// Everything is kept per merchant (gateway): two merchants may use the same InvoiceId.
import type { Redis } from 'ioredis';

const TTL_SECONDS = 30 * 86_400;

export interface SandboxOrder {
  id: string;
  gatewayId: string;
  invoiceId: string;
  accountId?: string;
  email?: string;
  amount: string;
  currency: string;
  description: string;
  successUrl?: string;
  failUrl?: string;
  requireConfirmation: boolean;
  jsonData?: Record<string, unknown>;
  status: 'Created' | 'Paid' | 'Cancelled';
}

export interface SandboxTransaction {
  id: string;
  gatewayId: string;
  invoiceId: string;
  accountId?: string;
  amount: string;
  currency: string;
  status: 'Authorized' | 'Completed' | 'Declined' | 'Cancelled';
  operationType: 'Payment' | 'Refund';
  reason: string;
  reasonCode: number;
  refunded: string;
  paymentTransactionId?: string;
  cardFirstSix?: string;
  cardLastFour?: string;
  cardType?: string;
  createdAt: string;
}

/** A saved card as the sandbox keeps it: what decides its token charges, never its number. */
export interface SandboxToken {
  token: string;
  gatewayId: string;
  accountId?: string;
  tokenOutcome: { result: 'approved' } | { result: 'declined'; reason: string; reasonCode: number };
  cardFirstSix: string;
  cardLastFour: string;
  cardType: string;
  expiry: string;
}

export class SandboxStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(...parts: string[]) {
    return [this.prefix, 'sandbox', ...parts].join(':');
  }

  private async put(key: string, value: unknown) {
    await this.redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS);
  }

  private async get<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async saveOrder(order: SandboxOrder) {
    await this.put(this.key('order', order.gatewayId, order.invoiceId), order);
    await this.put(this.key('order-id', order.id), { gatewayId: order.gatewayId, invoiceId: order.invoiceId });
  }

  order(gatewayId: string, invoiceId: string) {
    return this.get<SandboxOrder>(this.key('order', gatewayId, invoiceId));
  }

  async orderById(orderId: string) {
    const ref = await this.get<{ gatewayId: string; invoiceId: string }>(this.key('order-id', orderId));
    return ref ? this.order(ref.gatewayId, ref.invoiceId) : null;
  }

  /**
   * A Long, as CloudPayments' are, unique even after Redis comes back empty (its counter starts
   * again, the clock does not): milliseconds, then the counter's last three digits.
   */
  async nextTransactionId(): Promise<string> {
    const seq = await this.redis.incr(this.key('seq'));
    return String(Date.now() * 1000 + (seq % 1000));
  }

  async saveTransaction(tx: SandboxTransaction) {
    await this.put(this.key('tx', tx.id), tx);
    if (tx.operationType === 'Payment') {
      // LREM + RPUSH keeps the invoice's transactions in order without duplicates.
      const list = this.key('invoice-tx', tx.gatewayId, tx.invoiceId);
      await this.redis.multi().lrem(list, 0, tx.id).rpush(list, tx.id).expire(list, TTL_SECONDS).exec();
    }
  }

  transaction(id: string) {
    return this.get<SandboxTransaction>(this.key('tx', id));
  }

  /** The invoice's latest payment transaction (what v2/payments/find answers). */
  async latestForInvoice(gatewayId: string, invoiceId: string) {
    const id = await this.redis.lindex(this.key('invoice-tx', gatewayId, invoiceId), -1);
    return id ? this.transaction(id) : null;
  }

  /** One checkout at a time per order: a double-clicked Pay button must not charge twice. */
  async lock(gatewayId: string, invoiceId: string): Promise<(() => Promise<void>) | null> {
    const key = this.key('lock', gatewayId, invoiceId);
    const ok = await this.redis.set(key, '1', 'PX', 60_000, 'NX');
    return ok ? async () => void (await this.redis.del(key)) : null;
  }

  /** Waits for the lock (API calls queue up as at a real gateway), up to `waitMs`. */
  async lockWaiting(gatewayId: string, invoiceId: string, waitMs = 10_000): Promise<(() => Promise<void>) | null> {
    const until = Date.now() + waitMs;
    for (;;) {
      const unlock = await this.lock(gatewayId, invoiceId);
      if (unlock || Date.now() > until) return unlock;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async saveToken(t: SandboxToken) {
    await this.put(this.key('token', t.gatewayId, t.token), t);
  }

  /** A token is the merchant's own: another merchant's is not found. */
  token(gatewayId: string, token: string) {
    return this.get<SandboxToken>(this.key('token', gatewayId, token));
  }

  /** X-Request-ID: the same request id gets the same answer for an hour, executed once. */
  async remembered(gatewayId: string, requestId: string) {
    return this.get<unknown>(this.key('request', gatewayId, requestId));
  }

  async remember(gatewayId: string, requestId: string, answer: unknown) {
    await this.redis.set(this.key('request', gatewayId, requestId), JSON.stringify(answer), 'EX', 3600);
  }
}

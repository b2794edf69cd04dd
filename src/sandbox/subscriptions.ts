// The sandbox's subscriptions (CloudPayments subscriptions/create|get|find|update|cancel) and the
// scheduler that charges them. State lives in Redis like the rest of the emulator.
//
// The schedule runs SANDBOX_TIME_SCALE times faster than real time: the first charge comes after
// (StartDate − now) ÷ scale, then one every period ÷ scale (a month is 30 days here). Each charge
// is a token charge of the saved card (its token outcome decides, cards.ts), then a Pay (with
// SubscriptionId and AccountId, no InvoiceId) or a Fail, then a Recurrent with the new state.
// As CloudPayments documents (docs/gateways.md 1.5): Active after each success, PastDue after one
// or two failures in a row, Rejected after the third, Expired once MaxPeriods were charged.
// Like CloudPayments, subscriptions/update brings an ended subscription back to Active (the quirk
// Paygate must never trigger), and sends no Recurrent for it.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decimalFromText, exactJsonNumber } from '../domain/money';
import { utcDateTime, type SandboxMerchant, type SandboxWorld } from './emulator';

const TTL_SECONDS = 30 * 86_400;
const DAY_MS = 86_400_000;
const INTERVAL_DAYS: Record<string, number> = { Day: 1, Week: 7, Month: 30 };
/** Consecutive failures after which the subscription is Rejected. */
const REJECT_AFTER_FAILURES = 3;
const STATUS_CODES: Record<SandboxSubscription['status'], number> = { Active: 0, PastDue: 1, Cancelled: 3, Rejected: 4, Expired: 5 };

export interface SandboxSubscription {
  id: string;
  gatewayId: string;
  accountId: string;
  token: string;
  description: string;
  email?: string;
  amount: string;
  currency: string;
  requireConfirmation: boolean;
  /** As the merchant asked for it (unscaled). */
  startDate: string;
  interval: 'Day' | 'Week' | 'Month';
  period: number;
  maxPeriods?: number;
  status: 'Active' | 'PastDue' | 'Cancelled' | 'Rejected' | 'Expired';
  successful: number;
  failed: number;
  lastTransactionAt?: string;
  /** When the scheduler charges next (scaled real time, ms), null once ended. */
  nextAtMs: number | null;
}

const ended = (s: SandboxSubscription) => s.status === 'Cancelled' || s.status === 'Rejected' || s.status === 'Expired';
const isoNoZone = (d: Date) => d.toISOString().slice(0, 19);
const cpJsonDate = (d: Date) => `/Date(${d.getTime()})/`;

export class SandboxSubscriptions {
  constructor(private readonly redis: Redis, private readonly prefix: string, readonly timeScale: number) {}

  private key(...parts: string[]) {
    return [this.prefix, 'sandbox', ...parts].join(':');
  }

  periodMs(s: Pick<SandboxSubscription, 'interval' | 'period'>): number {
    return Math.max(1, Math.round((INTERVAL_DAYS[s.interval] * DAY_MS * s.period) / this.timeScale));
  }

  async get(id: string): Promise<SandboxSubscription | null> {
    const raw = await this.redis.get(this.key('sub', id));
    return raw ? (JSON.parse(raw) as SandboxSubscription) : null;
  }

  async save(s: SandboxSubscription): Promise<void> {
    const multi = this.redis.multi()
      .set(this.key('sub', s.id), JSON.stringify(s), 'EX', TTL_SECONDS)
      .sadd(this.key('sub-account', s.gatewayId, s.accountId), s.id)
      .expire(this.key('sub-account', s.gatewayId, s.accountId), TTL_SECONDS);
    if (s.nextAtMs === null) multi.zrem(this.key('sub-due'), s.id);
    else multi.zadd(this.key('sub-due'), s.nextAtMs, s.id);
    await multi.exec();
  }

  async ofAccount(gatewayId: string, accountId: string): Promise<SandboxSubscription[]> {
    const ids = await this.redis.smembers(this.key('sub-account', gatewayId, accountId));
    const all = await Promise.all(ids.sort().map((id) => this.get(id)));
    return all.filter((s): s is SandboxSubscription => s !== null && s.gatewayId === gatewayId);
  }

  due(nowMs: number, limit = 20): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('sub-due'), 0, nowMs, 'LIMIT', 0, limit);
  }

  /** One charge of a subscription at a time, in this process or any other. */
  async claim(id: string): Promise<(() => Promise<void>) | null> {
    const key = this.key('sub-charging', id);
    const ok = await this.redis.set(key, '1', 'PX', 60_000, 'NX');
    return ok ? async () => void (await this.redis.del(key)) : null;
  }
}

export function subscriptionModel(s: SandboxSubscription) {
  const start = new Date(s.startDate);
  const last = s.lastTransactionAt ? new Date(s.lastTransactionAt) : null;
  const next = s.nextAtMs !== null ? new Date(s.nextAtMs) : null;
  return {
    Id: s.id, AccountId: s.accountId, Description: s.description, Email: s.email ?? null, Amount: exactJsonNumber(s.amount), CurrencyCode: 0, Currency: s.currency,
    RequireConfirmation: s.requireConfirmation, StartDate: cpJsonDate(start), StartDateIso: isoNoZone(start), IntervalCode: Object.keys(INTERVAL_DAYS).indexOf(s.interval),
    Interval: s.interval, Period: s.period, MaxPeriods: s.maxPeriods ?? null, CultureName: 'ru', StatusCode: STATUS_CODES[s.status], Status: s.status,
    SuccessfulTransactionsNumber: s.successful, FailedTransactionsNumber: s.failed,
    LastTransactionDate: last ? cpJsonDate(last) : null, LastTransactionDateIso: last ? isoNoZone(last) : null,
    NextTransactionDate: next ? cpJsonDate(next) : null, NextTransactionDateIso: next ? isoNoZone(next) : null,
  };
}

/** The Recurrent notification's fields (docs/gateways.md 1.3). */
function recurrentFields(s: SandboxSubscription): Record<string, string | number | undefined> {
  return {
    Id: s.id, AccountId: s.accountId, Description: s.description, Email: s.email, Amount: s.amount, Currency: s.currency,
    RequireConfirmation: s.requireConfirmation ? 1 : 0, StartDate: utcDateTime(new Date(s.startDate)), Interval: s.interval, Period: s.period,
    Status: s.status, SuccessfulTransactionsNumber: s.successful, FailedTransactionsNumber: s.failed, MaxPeriods: s.maxPeriods,
    LastTransactionDate: s.lastTransactionAt ? utcDateTime(new Date(s.lastTransactionAt)) : undefined,
    NextTransactionDate: s.nextAtMs !== null ? utcDateTime(new Date(s.nextAtMs)) : undefined,
  };
}

type Api = (method: string, handler: (merchant: SandboxMerchant, body: Record<string, unknown>) => Promise<{ answer: unknown; after?: () => Promise<unknown> }>) => void;

const field = (b: Record<string, unknown>, name: string) => b[name] ?? b[name[0].toLowerCase() + name.slice(1)];
const positiveInt = (v: unknown) => (typeof v === 'number' || typeof v === 'string') && /^\d{1,6}$/.test(String(v)) && Number(v) > 0 ? Number(v) : null;
const bool = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

export function sandboxSubscriptionApi(api: Api, world: SandboxWorld, subs: SandboxSubscriptions): void {
  const fail = (message: string) => ({ answer: { Success: false, Message: message } });
  const answer = (s: SandboxSubscription) => ({ answer: { Success: true, Message: null, Model: subscriptionModel(s) } });

  api('subscriptions/create', async (merchant, b) => {
    const accountId = field(b, 'AccountId');
    const amount = decimalFromText(String(field(b, 'Amount') ?? ''));
    const interval = String(field(b, 'Interval') ?? '');
    const period = positiveInt(field(b, 'Period'));
    const startDate = new Date(String(field(b, 'StartDate') ?? ''));
    const maxPeriods = field(b, 'MaxPeriods');
    if (!accountId) return fail('AccountId is required');
    if (!field(b, 'Description')) return fail('Description is required');
    if (!amount || amount.lte(0)) return fail('Invalid Amount value');
    if (!field(b, 'Currency')) return fail('Currency is required');
    if (!(interval in INTERVAL_DAYS)) return fail('Invalid Interval value');
    if (!period) return fail('Invalid Period value');
    if (maxPeriods !== undefined && maxPeriods !== null && !positiveInt(maxPeriods)) return fail('Invalid MaxPeriods value');
    if (Number.isNaN(startDate.getTime()) || startDate.getTime() <= Date.now()) return fail('StartDate must be in the future');
    const saved = await world.store.token(merchant.gatewayId, String(field(b, 'Token') ?? ''));
    if (!saved || (saved.accountId !== undefined && saved.accountId !== String(accountId))) return fail('Token not found');
    const now = Date.now();
    const s: SandboxSubscription = {
      id: `sc_${randomBytes(15).toString('hex')}`, gatewayId: merchant.gatewayId, accountId: String(accountId), token: saved.token,
      description: String(field(b, 'Description')).slice(0, 500), email: field(b, 'Email') ? String(field(b, 'Email')) : undefined,
      amount: amount.toFixed(2), currency: String(field(b, 'Currency')), requireConfirmation: bool(field(b, 'RequireConfirmation')),
      startDate: startDate.toISOString(), interval: interval as SandboxSubscription['interval'], period, maxPeriods: positiveInt(maxPeriods) ?? undefined,
      status: 'Active', successful: 0, failed: 0, nextAtMs: now + Math.max(1, Math.round((startDate.getTime() - now) / subs.timeScale)),
    };
    await subs.save(s);
    return answer(s);
  });

  api('subscriptions/get', async (merchant, b) => {
    const s = await subs.get(String(field(b, 'Id') ?? ''));
    return s && s.gatewayId === merchant.gatewayId ? answer(s) : fail('Not found');
  });

  api('subscriptions/find', async (merchant, b) => {
    const accountId = field(b, 'AccountId');
    if (!accountId) return fail('accountId is required');
    return { answer: { Success: true, Message: null, Model: (await subs.ofAccount(merchant.gatewayId, String(accountId))).map(subscriptionModel) } };
  });

  api('subscriptions/update', async (merchant, b) => {
    const found = await subs.get(String(field(b, 'Id') ?? ''));
    if (!found || found.gatewayId !== merchant.gatewayId) return fail('Not found');
    const s = { ...found };
    const amount = field(b, 'Amount');
    if (amount !== undefined) {
      const d = decimalFromText(String(amount));
      if (!d || d.lte(0)) return fail('Invalid Amount value');
      s.amount = d.toFixed(2);
    }
    if (field(b, 'Description') !== undefined) s.description = String(field(b, 'Description')).slice(0, 500);
    if (field(b, 'Interval') !== undefined) {
      if (!(String(field(b, 'Interval')) in INTERVAL_DAYS)) return fail('Invalid Interval value');
      s.interval = String(field(b, 'Interval')) as SandboxSubscription['interval'];
    }
    if (field(b, 'Period') !== undefined) {
      const period = positiveInt(field(b, 'Period'));
      if (!period) return fail('Invalid Period value');
      s.period = period;
    }
    if (field(b, 'MaxPeriods') !== undefined) s.maxPeriods = positiveInt(field(b, 'MaxPeriods')) ?? undefined;
    // CloudPayments' documented quirk: any change re-activates an ended subscription.
    if (ended(s)) {
      s.status = 'Active';
      s.failed = 0;
      s.nextAtMs = Date.now() + subs.periodMs(s);
    }
    await subs.save(s);
    return answer(s);
  });

  api('subscriptions/cancel', async (merchant, b) => {
    const found = await subs.get(String(field(b, 'Id') ?? ''));
    if (!found || found.gatewayId !== merchant.gatewayId) return fail('Not found');
    if (found.status === 'Cancelled') return { answer: { Success: true, Message: null } };
    const s: SandboxSubscription = { ...found, status: 'Cancelled', nextAtMs: null };
    await subs.save(s);
    return { answer: { Success: true, Message: null }, after: () => world.notify(merchant, 'recurrent', recurrentFields(s)) };
  });
}

/**
 * Charges what is due, every `tickMs`. A tick never overlaps the one before (in this process),
 * and each subscription is claimed in Redis before it is charged, so two processes (or a tick
 * that outlived its claim) never charge one period twice: the state moves on before anything
 * is sent. Stopped on the server's close.
 */
export function startSubscriptionScheduler(world: SandboxWorld, subs: SandboxSubscriptions, tickMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = async () => {
    const ids = await subs.due(Date.now());
    for (const id of ids) {
      if (stopped) return;
      const release = await subs.claim(id);
      if (!release) continue;
      try {
        await chargeOnce(world, subs, id);
      } catch (err) {
        world.log.error({ err, subscriptionId: id }, 'sandbox subscription charge failed');
      } finally {
        await release();
      }
    }
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = tick().catch((err) => world.log.error({ err }, 'sandbox subscription tick failed')).finally(() => { running = null; });
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function chargeOnce(world: SandboxWorld, subs: SandboxSubscriptions, id: string): Promise<void> {
  const s = await subs.get(id);
  const now = Date.now();
  if (!s || ended(s) || s.nextAtMs === null) {
    if (s) await subs.save({ ...s, nextAtMs: null });
    return;
  }
  if (s.nextAtMs > now) return; // charged by another tick meanwhile
  const merchant = await world.opts.merchantByGatewayId(s.gatewayId);
  const saved = await world.store.token(s.gatewayId, s.token);
  if (!merchant) return subs.save({ ...s, status: 'Cancelled', nextAtMs: null });
  const outcome = saved?.tokenOutcome ?? { result: 'declined' as const, reason: 'TokenNotFound', reasonCode: 5012 };
  const approved = outcome.result === 'approved';
  const transactionId = await world.store.nextTransactionId();
  await world.store.saveTransaction({
    id: transactionId, gatewayId: s.gatewayId, invoiceId: `subscription:${s.id}`, accountId: s.accountId, amount: s.amount, currency: s.currency,
    operationType: 'Payment', refunded: '0', cardFirstSix: saved?.cardFirstSix, cardLastFour: saved?.cardLastFour, cardType: saved?.cardType, createdAt: new Date(now).toISOString(),
    ...(approved ? { status: 'Completed' as const, reason: 'Approved', reasonCode: 0 } : { status: 'Declined' as const, reason: outcome.reason, reasonCode: outcome.reasonCode }),
  });
  const successful = s.successful + (approved ? 1 : 0);
  const failed = approved ? 0 : s.failed + 1;
  const status: SandboxSubscription['status'] = approved
    ? (s.maxPeriods !== undefined && successful >= s.maxPeriods ? 'Expired' : 'Active')
    : failed >= REJECT_AFTER_FAILURES ? 'Rejected' : 'PastDue';
  const following = s.nextAtMs + subs.periodMs(s);
  const next: SandboxSubscription = {
    ...s, successful, failed, status, lastTransactionAt: new Date(now).toISOString(),
    nextAtMs: status === 'Expired' || status === 'Rejected' ? null : following > now ? following : now + subs.periodMs(s),
  };
  // The state moves on first: whatever happens to the notifications, this period is charged once.
  await subs.save(next);
  const common = {
    TransactionId: transactionId, Amount: s.amount, Currency: s.currency, PaymentAmount: s.amount, PaymentCurrency: s.currency, DateTime: utcDateTime(new Date(now)),
    CardFirstSix: saved?.cardFirstSix, CardLastFour: saved?.cardLastFour, CardType: saved?.cardType, CardExpDate: saved?.expiry, TestMode: 1,
    AccountId: s.accountId, SubscriptionId: s.id, Email: s.email, Description: s.description,
  };
  if (approved) await world.notify(merchant, 'pay', { ...common, Status: 'Completed', OperationType: 'Payment', GatewayName: 'Test', AuthCode: 'A1B2C3', TotalFee: 0, Token: s.token });
  else await world.notify(merchant, 'fail', { ...common, OperationType: 'Payment', Reason: outcome.reason, ReasonCode: outcome.reasonCode });
  await world.notify(merchant, 'recurrent', recurrentFields(next));
}

// How the conformance suite plays each gateway: its simulator (or the sandbox emulator), the
// credentials two organizations configure, and how the gateway takes money and tells us.
// A new gateway adds a driver here; the suite (conformance.test.ts) runs unchanged against it.
import { SignJWT } from 'jose';
import { SandboxStore } from '../../src/sandbox/store';
import type { TestApp } from '../helpers/app';
import { nextTransactionId, payFields, sendNotification, type Fields } from '../helpers/callbacks';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { CryptoCloudSimulator } from '../simulators/cryptocloud';

export interface Merchant {
  publicId: string;
  apiSecret: string;
  webhookSecret?: string;
  /** What signs its callbacks. */
  signingSecret: string;
}

/** A payment as the suite knows it. */
export interface Payment {
  id: string;
  clientId: string;
  amount: string;
  /** The gateway's id for it, where the gateway names it at creation. */
  gatewayTransactionId: string | null;
}

/** How a callback is signed: rightly, with its body changed afterwards, not at all, or with another secret. */
export type Signature = 'valid' | 'tampered' | 'unsigned' | { secret: string };
export interface Answer { status: number; body: unknown }

export interface GatewayDriver {
  readonly type: 'CLOUDPAYMENTS' | 'CRYPTOCLOUD' | 'SANDBOX';
  /** Environment for the app: where the gateway's API is. */
  env(): Record<string, string>;
  start(): Promise<void>;
  stop(): Promise<void>;
  merchant(n: 1 | 2): Merchant;
  /** Which merchant a configured gateway is (its callbacks are signed with that merchant's secret). */
  remember(gatewayId: string, n: 1 | 2): void;
  /** The gateway takes the money, without telling us yet. Returns its transaction id. */
  takeMoney(t: TestApp, gatewayId: string, p: Payment): Promise<string>;
  /** The gateway's "paid" callback for the payment, to this gateway's URL, signed as asked. */
  sendPaid(t: TestApp, gatewayId: string, p: Payment, transactionId: string, signature: Signature): Promise<Answer>;
  /** The gateway's word that the payment did not go through. */
  sendDeclined(t: TestApp, gatewayId: string, p: Payment, signature: Signature): Promise<Answer>;
  /** The status a declined payment ends in. */
  readonly declinedStatus: 'FAILED' | 'CANCELLED';
  readonly refunds: boolean;
  /** How an accepted callback is answered (the gateway stops sending it). */
  readonly accepted: Answer;
}

function merchantsFor(prefix: string, webhook = false): Record<1 | 2, Merchant> {
  const m = (n: number): Merchant => ({
    publicId: `${prefix}_pk_${n}`, apiSecret: `${prefix}_secret_${n}`, signingSecret: webhook ? `${prefix}_postback_${n}` : `${prefix}_secret_${n}`,
    ...(webhook ? { webhookSecret: `${prefix}_postback_${n}` } : {}),
  });
  return { 1: m(1), 2: m(2) };
}

/** The driver's memory of which merchant each gateway is. */
function registry(merchants: Record<1 | 2, Merchant>) {
  const gateways = new Map<string, Merchant>();
  return {
    remember: (gatewayId: string, n: 1 | 2) => void gateways.set(gatewayId, merchants[n]),
    of: (gatewayId: string) => gateways.get(gatewayId) ?? merchants[1],
  };
}

/** CloudPayments' notifications (also the sandbox's), signed as asked. */
function cloudPaymentsNotification(t: TestApp, gatewayId: string, kind: string, fields: Fields, secret: string, signature: Signature): Promise<Answer> {
  return sendNotification(t.url, gatewayId, kind, fields, {
    secret: signature === 'unsigned' ? undefined : typeof signature === 'object' ? signature.secret : secret,
    headers: signature === 'unsigned' ? 'none' : 'both',
    tamper: signature === 'tampered' ? (body) => body.replace(/Amount=([\d.]+)/, 'Amount=1.00') : undefined,
  });
}

export function cloudPaymentsDriver(): GatewayDriver {
  const merchants = merchantsFor('cpconf');
  const known = registry(merchants);
  const cp = new CloudPaymentsSimulator({ [merchants[1].publicId]: merchants[1].apiSecret, [merchants[2].publicId]: merchants[2].apiSecret });
  return {
    type: 'CLOUDPAYMENTS',
    env: () => ({ CLOUDPAYMENTS_API_URL: cp.url }),
    start: async () => void (await cp.start()),
    stop: () => cp.stop(),
    merchant: (n) => merchants[n],
    remember: known.remember,
    takeMoney: async (_t, _gatewayId, p) => String(cp.payInvoice(p.id).TransactionId),
    sendPaid: (t, gatewayId, p, transactionId, signature) =>
      cloudPaymentsNotification(t, gatewayId, 'pay', payFields(p.id, p.clientId, p.amount, { TransactionId: transactionId }), known.of(gatewayId).signingSecret, signature),
    sendDeclined: (t, gatewayId, p, signature) =>
      cloudPaymentsNotification(t, gatewayId, 'fail', payFields(p.id, p.clientId, p.amount), known.of(gatewayId).signingSecret, signature),
    declinedStatus: 'FAILED',
    refunds: true,
    accepted: { status: 200, body: { code: 0 } },
  };
}

export function sandboxDriver(): GatewayDriver {
  const merchants = merchantsFor('sbxconf');
  const known = registry(merchants);
  return {
    type: 'SANDBOX',
    env: () => ({}),
    start: async () => undefined,
    stop: async () => undefined,
    merchant: (n) => merchants[n],
    remember: known.remember,
    async takeMoney(t, gatewayId, p) {
      const store = new SandboxStore(t.deps.redis, t.deps.config.queuePrefix);
      const id = await store.nextTransactionId();
      await store.saveTransaction({
        id, gatewayId, invoiceId: p.id, accountId: p.clientId, amount: p.amount, currency: 'RUB', status: 'Completed', operationType: 'Payment',
        reason: 'Approved', reasonCode: 0, refunded: '0', createdAt: new Date().toISOString(),
      });
      return id;
    },
    sendPaid: (t, gatewayId, p, transactionId, signature) =>
      cloudPaymentsNotification(t, gatewayId, 'pay', payFields(p.id, p.clientId, p.amount, { TransactionId: transactionId }), known.of(gatewayId).signingSecret, signature),
    sendDeclined: (t, gatewayId, p, signature) =>
      cloudPaymentsNotification(t, gatewayId, 'fail', payFields(p.id, p.clientId, p.amount, { TransactionId: nextTransactionId() }), known.of(gatewayId).signingSecret, signature),
    declinedStatus: 'FAILED',
    refunds: true,
    accepted: { status: 200, body: { code: 0 } },
  };
}

export function cryptoCloudDriver(): GatewayDriver {
  const merchants = merchantsFor('ccconf', true);
  const known = registry(merchants);
  const cc = new CryptoCloudSimulator({ [merchants[1].apiSecret]: merchants[1].publicId, [merchants[2].apiSecret]: merchants[2].publicId });
  const postback = async (t: TestApp, gatewayId: string, p: Payment, signature: Signature): Promise<Answer> => {
    const uuid = p.gatewayTransactionId!;
    const url = `${t.url}/payments/cryptocloud/${gatewayId}/postback`;
    const secret = known.of(gatewayId).signingSecret;
    if (signature === 'unsigned') return cc.postback(url, uuid, { secret, token: null });
    if (signature === 'tampered') {
      // a genuine token whose payload is changed afterwards: its signature no longer matches
      const token = await new SignJWT({ id: 'FFFFFFFF' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
      const [header, , sig] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ id: uuid.replace('INV-', ''), exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url');
      return cc.postback(url, uuid, { secret, token: `${header}.${payload}.${sig}` });
    }
    return cc.postback(url, uuid, { secret: typeof signature === 'object' ? signature.secret : secret });
  };
  return {
    type: 'CRYPTOCLOUD',
    env: () => ({ CRYPTOCLOUD_API_URL: cc.url }),
    start: async () => void (await cc.start()),
    stop: () => cc.stop(),
    merchant: (n) => merchants[n],
    remember: known.remember,
    async takeMoney(_t, _gatewayId, p) {
      cc.set(p.gatewayTransactionId!, 'paid');
      return p.gatewayTransactionId!;
    },
    sendPaid: (t, gatewayId, p, _transactionId, signature) => postback(t, gatewayId, p, signature),
    async sendDeclined(t, gatewayId, p, signature) {
      cc.set(p.gatewayTransactionId!, 'canceled');
      return postback(t, gatewayId, p, signature);
    },
    declinedStatus: 'CANCELLED',
    refunds: false,
    accepted: { status: 200, body: { message: 'Postback received' } },
  };
}

export const DRIVERS: readonly GatewayDriver[] = [cloudPaymentsDriver(), sandboxDriver(), cryptoCloudDriver()];

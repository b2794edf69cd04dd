// A CryptoCloud stand-in on loopback: invoice/create, invoice/merchant/info (at most 100 uuids),
// invoice/merchant/canceled, `Authorization: Token <key>`, the {status, result} envelope, and
// postbacks signed with jose (HS256 JWT, 5 minutes), as JSON or form.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';

export interface Invoice {
  uuid: string; link: string; status: 'created' | 'paid' | 'partial' | 'overpaid' | 'canceled'; order_id?: string; email?: string;
  amount_in_fiat: string; fiat_currency: string; amount: string; amount_usd: string; received: string; received_usd: string;
  add_fields?: any; shop_id: string;
}

export class CryptoCloudSimulator {
  readonly requests: Array<{ path: string; body: any; status: number }> = [];
  readonly invoices = new Map<string, Invoice>();
  app: FastifyInstance = Fastify();
  url = '';

  constructor(private readonly keys: Record<string, string>) {} // API key -> shop_id

  /** While true, every connection is cut without an answer (CryptoCloud unreachable). */
  down = false;

  async start(): Promise<this> {
    this.app.post('/v2/*', async (request, reply) => {
      if (this.down) {
        reply.hijack();
        request.raw.socket.destroy();
        return reply;
      }
      const path = `v2/${(request.params as { '*': string })['*']}`;
      const record = { path, body: request.body, status: 200 };
      this.requests.push(record);
      const key = String(request.headers.authorization ?? '').replace(/^Token /, '');
      const shop = this.keys[key];
      if (!shop) {
        record.status = 401;
        return reply.status(401).send({ status: 'error', result: { authorization: 'Unauthorized request.' } });
      }
      const b = (request.body ?? {}) as Record<string, any>;
      const fail = (msg: string) => { record.status = 400; return reply.status(400).send({ status: 'error', result: { validate_error: msg } }); };
      switch (path) {
        case 'v2/invoice/create': {
          if (b.shop_id !== shop) return fail('shop_id is invalid');
          if (!(Number(b.amount) > 0)) return fail('amount must be positive');
          const id = randomBytes(4).toString('hex').toUpperCase();
          const inv: Invoice = {
            uuid: `INV-${id}`, link: `pay.cryptocloud.plus/${id}`, status: 'created', order_id: b.order_id, email: b.email, shop_id: shop,
            amount_in_fiat: Number(b.amount).toFixed(2), fiat_currency: b.currency ?? 'USD', amount: '0.0042', amount_usd: '5.00', received: '0', received_usd: '0', add_fields: b.add_fields,
          };
          this.invoices.set(inv.uuid, inv);
          return { status: 'success', result: { ...inv, invoice_id: null, currency: { code: 'USDT', network: { code: 'TRC20' } } } };
        }
        case 'v2/invoice/merchant/info': {
          const uuids: string[] = b.uuids ?? [];
          if (!Array.isArray(uuids) || uuids.length > 100) return fail('uuids: at most 100');
          const found = uuids.map((u) => this.invoices.get(`INV-${String(u).replace(/^INV-/, '')}`)).filter((i): i is Invoice => !!i && i.shop_id === shop);
          return { status: 'success', result: found };
        }
        case 'v2/invoice/merchant/statistics': {
          if (!/^\d{2}\.\d{2}\.\d{4}$/.test(String(b.start)) || !/^\d{2}\.\d{2}\.\d{4}$/.test(String(b.end))) return fail('start and end must be dd.mm.yyyy');
          const mine = [...this.invoices.values()].filter((i) => i.shop_id === shop);
          return { status: 'success', result: { count: { all: mine.length }, amount: { all: 0 } } };
        }
        case 'v2/invoice/merchant/canceled': {
          const inv = this.invoices.get(b.uuid);
          if (!inv || inv.status !== 'created') return fail('Invoice is not created');
          inv.status = 'canceled';
          return { status: 'success', result: ['ok'] };
        }
        default:
          return reply.status(404).send({ detail: 'Not Found' });
      }
    });
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as { port: number }).port}`;
    return this;
  }

  stop() {
    return this.app.close();
  }

  set(uuid: string, status: Invoice['status'], received = '0', receivedUsd = '0') {
    Object.assign(this.invoices.get(uuid)!, { status, received, received_usd: receivedUsd });
  }

  /** A postback for an invoice, as CryptoCloud sends it. */
  async postback(url: string, uuid: string, options: { secret: string; claimId?: string; expiresInSeconds?: number; token?: string | null; form?: boolean; claimedStatus?: string }) {
    const inv = this.invoices.get(uuid)!;
    const bare = uuid.replace(/^INV-/, '');
    const token = options.token === null ? undefined : options.token ?? await new SignJWT({ id: options.claimId ?? bare })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 300))
      .sign(new TextEncoder().encode(options.secret));
    const fields: Record<string, unknown> = {
      status: options.claimedStatus ?? 'success', invoice_id: bare, amount_crypto: inv.received, currency: 'USDT_TRC20', order_id: inv.order_id,
      ...(token ? { token } : {}), invoice_info: { ...inv },
    };
    const body = options.form
      ? new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])).toString()
      : JSON.stringify(fields);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json' }, body });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
}

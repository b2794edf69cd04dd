// Inbound gateway callbacks: POST /payments/<protocol>/<gatewayId>/<kind>. One route for every
// gateway: the adapter verifies the signature over the raw bytes and normalises the request;
// services/payments/handle-gateway-event.ts decides what it means. Every request is stored.
import { BlockList, isIPv4 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../context';
import { newId } from '../domain/ids';
import type { Prisma } from '../generated/prisma/client';
import { loadGateway } from '../services/gateways/load-gateway';
import { handleGatewayEvent, type CallbackRecord } from '../services/payments/handle-gateway-event';

const BODY_LIMIT = 256 * 1024;
/** Headers kept with each callback. Signatures are kept: they prove what we verified. */
const KEPT_HEADERS = ['content-type', 'content-hmac', 'x-content-hmac', 'user-agent', 'x-forwarded-for', 'x-request-id'];
/** Reusable card credentials a gateway may send (CloudPayments' Token): never kept. */
const SECRET_FIELDS = ['Token', 'CardCryptogramPacket', 'CardNumber'];

/** The body as stored: the original, but for the values of SECRET_FIELDS (form or JSON). */
export function bodyForStorage(raw: Buffer): string {
  let text = raw.toString('utf8');
  for (const field of SECRET_FIELDS) {
    text = text
      .replace(new RegExp(`(^|&)(${field})=[^&]*`, 'g'), '$1$2=%5Bredacted%5D')
      .replace(new RegExp(`("${field}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g'), '$1"[redacted]"');
  }
  return text;
}

export async function gatewayCallbackRoutes(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  // Raw bytes for every content type: the signature is over the body exactly as sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post<{ Params: { protocol: string; gatewayId: string; kind: string } }>(
    '/payments/:protocol/:gatewayId/:kind',
    { bodyLimit: BODY_LIMIT },
    async (request, reply) => handle(deps, request, reply),
  );
}

async function handle(
  deps: Deps,
  request: FastifyRequest<{ Params: { protocol: string; gatewayId: string; kind: string } }>,
  reply: FastifyReply,
) {
  const { protocol, gatewayId, kind } = request.params;
  const gateway = await loadGateway(deps, gatewayId);
  if (!gateway || gateway.adapter.callbackProtocol !== protocol || !gateway.adapter.callbackKinds.includes(kind)) {
    return reply.status(404).send({ error: 'unknown callback URL' });
  }
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const record: CallbackRecord = {
    id: newId('cb'),
    gatewayId,
    gatewayType: gateway.type,
    kind,
    remoteAddress: request.ip ?? null,
    headers: Object.fromEntries(KEPT_HEADERS.filter((h) => request.headers[h] !== undefined).map((h) => [h, String(request.headers[h])])) as Prisma.InputJsonObject,
    rawBody: bodyForStorage(rawBody),
  };
  const log = request.log.child({ callbackId: record.id, gatewayId, kind });

  if (deps.config.callbackIpAllowlist && !fromSourceNetwork(gateway.adapter.callbackSourceNetworks, request.ip)) {
    log.warn({ ip: request.ip }, 'gateway callback refused: not from a documented source network');
    await deps.db.gatewayCallback.create({ data: { ...record, signature: 'MISSING', error: `source ${request.ip} is not an allowed network` } });
    return reply.status(403).send({ error: 'source address not allowed' });
  }

  let parsed;
  try {
    parsed = await gateway.adapter.parseCallback(gateway.env, gateway.creds, {
      kind,
      rawBody,
      contentType: String(request.headers['content-type'] ?? ''),
      headers: request.headers,
    });
  } catch (err) {
    // Signed but unreadable: store it and answer an error so the gateway retries after a fix.
    log.error({ err }, 'gateway callback could not be parsed');
    await deps.db.gatewayCallback.create({ data: { ...record, signature: 'VALID', error: String((err as Error).message).slice(0, 1000) } });
    return reply.status(400).send({ error: 'unreadable notification' });
  }

  if (parsed.signature !== 'VALID' || !parsed.event) {
    log.warn({ signature: parsed.signature }, 'gateway callback rejected: bad or missing signature');
    await deps.db.gatewayCallback.create({ data: { ...record, signature: parsed.signature, result: { outcome: { result: 'rejected' } } } });
    const answer = gateway.adapter.answerCallback(kind, { result: 'rejected' });
    return reply.status(answer.status).send(answer.body);
  }

  const outcome = await handleGatewayEvent(deps, record, parsed.event);
  log.info({ event: parsed.event.kind, outcome }, 'gateway callback handled');
  const answer = gateway.adapter.answerCallback(kind, outcome);
  return reply.status(answer.status).send(answer.body);
}

const blockLists = new Map<readonly string[], BlockList>();

/** An empty list means the gateway documents none: nothing to check against. */
function fromSourceNetwork(networks: readonly string[], ip: string): boolean {
  if (!networks.length) return true;
  let list = blockLists.get(networks);
  if (!list) {
    list = new BlockList();
    for (const cidr of networks) {
      const [address, prefix] = cidr.split('/');
      list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
    }
    blockLists.set(networks, list);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip)?.[1];
  const address = mapped ?? ip;
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

// Inbound gateway callbacks: POST /payments/<protocol>/<gatewayId>/<kind>, and for gateways whose
// dashboard takes one URL for everything, POST /payments/<protocol>/callback. One route for every
// gateway: the adapter verifies the signature over the raw bytes, then reads the body strictly;
// services/payments/gateway-word.ts hands its event to the payment book. Every request is stored, with
// the adapter's allow-listed fields of its body and the SHA-256 of the raw bytes, never the
// signature headers.
import { createHash } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../context';
import { AUTH_MESSAGES } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Prisma } from '../generated/prisma/client';
import type { KeptFields } from '../gateways/callback-body';
import { gateways } from '../gateways/registry';
import type { CallbackVerdict, ParsedCallback } from '../gateways/types';
import { gatewaysNamedBy } from '../services/gateways/callback-candidates';
import { cachedGateway, forgetGateway, loadGateway, type LoadedGateway } from '../services/gateways/load-gateway';
import { storeUnreadableCallback } from '../services/attention/unreadable-callback';
import { applyGatewayEvent, STALE_GATEWAY, type CallbackRecord } from '../services/payments/gateway-word';

const BODY_LIMIT = 256 * 1024;
/** Headers kept with each callback. Signatures are not: a stored body and its signature could be sent again. */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-forwarded-for', 'x-request-id'];
const MAX_ERROR = 1000;

export async function gatewayCallbackRoutes(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;
  // Raw bytes for every content type: the signature is over the body exactly as sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post<{ Params: Target }>('/payments/:protocol/:gatewayId/:kind', { bodyLimit: BODY_LIMIT }, async (request, reply) => handle(deps, request, reply, request.params));
  app.post<{ Params: { protocol: string } }>('/payments/:protocol/callback', { bodyLimit: BODY_LIMIT }, async (request, reply) => handleShared(deps, request, reply));
}

interface Target { protocol: string; gatewayId: string; kind: string }

const rawBodyOf = (request: FastifyRequest) => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

/**
 * The shared URL: the body names its kind and payment; the gateway whose secret verifies it is the
 * one it came from, and from there it is handled as if posted to that gateway's own URL. A
 * notification no stored payment matches is answered as handled (a Check: unknown invoice) and
 * kept for a person, since no secret can verify it.
 */
async function handleShared(deps: Deps, request: FastifyRequest<{ Params: { protocol: string } }>, reply: FastifyReply) {
  const { protocol } = request.params;
  const adapters = Object.values(gateways).filter((a) => a.callbacks.protocol === protocol && a.callbacks.shared);
  if (!adapters.length) return reply.status(404).send({ error: 'unknown callback URL' });
  const [answering] = adapters;
  const rawBody = rawBodyOf(request);
  const contentType = String(request.headers['content-type'] ?? '');
  const ref = answering.callbacks.shared!.locate({ rawBody, contentType });
  const kind = ref && answering.callbacks.kinds.includes(ref.kind) ? ref.kind : null;
  const candidates = ref && kind ? await gatewaysNamedBy(deps.db, adapters.map((a) => a.type), ref) : [];
  // The gateway whose secret signed it is served with what it already made of the body; signed by
  // none, it is refused and kept as the first candidate's, by the per-gateway rules.
  let first: { gateway: LoadedGateway; parsed?: ParsedCallback } | null = null;
  for (const gatewayId of candidates) {
    const gateway = await loadGateway(deps, gatewayId).catch(() => null);
    if (!gateway) continue;
    const parsed = await gateway.adapter.parseCallback(gateway.env, gateway.creds, { kind: kind!, rawBody, contentType, headers: request.headers }).catch(() => undefined);
    if (parsed?.verdict === 'VALID' || parsed?.verdict === 'UNREADABLE') return serve(deps, request, reply, gateway, kind!, parsed);
    first ??= { gateway, parsed };
  }
  if (first) return serve(deps, request, reply, first.gateway, kind!, first.parsed);

  const outcome = !kind ? { result: 'rejected' as const } : kind === 'check' ? { result: 'declined' as const, reason: 'UNKNOWN_INVOICE' as const } : { result: 'ok' as const };
  const problem = kind
    ? `a ${kind} notification that names no payment or transaction of ours: nothing can verify it; kept for manual handling`
    : 'the body is no notification of this gateway';
  request.log.warn({ protocol, kind, invoiceId: ref?.invoiceId }, `shared callback URL: ${problem}`);
  // Well-formed notifications naming nothing of ours are evidence a person may need: a quota of
  // their own, apart from bodies that are no notification at all.
  if (await withinRejectedQuota(deps, `shared-${protocol}-${kind ? 'unmatched' : 'junk'}`, kind ? UNMATCHED_KEPT_PER_MINUTE : REJECTED_KEPT_PER_MINUTE)) {
    await deps.db.gatewayCallback.create({
      data: {
        id: newId('cb'), gatewayId: null, gatewayType: answering.type, kind: kind ?? 'unknown', remoteAddress: request.ip?.slice(0, 64) ?? null,
        headers: keptHeaders(request), verdict: 'INVALID', error: problem, result: { outcome } as Prisma.InputJsonObject, body: ref?.kept ?? {},
        bodySha256: createHash('sha256').update(rawBody).digest('hex'),
      },
    });
  }
  const answer = answering.answerCallback(kind ?? 'unknown', outcome);
  return reply.status(answer.status).send(answer.body);
}

const keptHeaders = (request: FastifyRequest) =>
  Object.fromEntries(KEPT_HEADERS.filter((h) => request.headers[h] !== undefined).map((h) => [h, String(request.headers[h]).slice(0, 500)])) as Prisma.InputJsonObject;

async function handle(deps: Deps, request: FastifyRequest, reply: FastifyReply, target: Target) {
  const { protocol, gatewayId, kind } = target;
  let gateway;
  let fromCache;
  try {
    ({ gateway, fromCache } = await cachedGateway(deps, gatewayId));
  } catch (err) {
    // e.g. its secret was sealed with a key this server no longer has: nothing can be verified
    request.log.error({ err, gatewayId }, 'gateway callback: the gateway cannot be loaded');
    return reply.status(503).send({ error: 'try again later' });
  }
  if (!gateway || gateway.adapter.callbacks.protocol !== protocol || !gateway.adapter.callbacks.kinds.includes(kind)) {
    return reply.status(404).send({ error: 'unknown callback URL' });
  }
  return serve(deps, request, reply, gateway, kind, undefined, fromCache);
}

/**
 * A callback for this gateway: stored, checked, verified (unless `given` is its verdict already),
 * applied, answered. `fromCache`: the gateway is this process's copy, trusted only while it is the
 * stored one; a signature it refuses, or a newer stored version, sends the callback through again
 * with the gateway loaded afresh.
 */
async function serve(deps: Deps, request: FastifyRequest, reply: FastifyReply, gateway: LoadedGateway, kind: string, given?: ParsedCallback, fromCache = false): Promise<FastifyReply> {
  const gatewayId = gateway.id;
  const rawBody = rawBodyOf(request);
  const record: CallbackRecord = {
    id: newId('cb'),
    gatewayId,
    gatewayType: gateway.type,
    environment: gateway.environment,
    kind,
    remoteAddress: request.ip?.slice(0, 64) ?? null,
    headers: keptHeaders(request),
    body: {},
    bodySha256: createHash('sha256').update(rawBody).digest('hex'),
  };
  const log = request.log.child({ callbackId: record.id, gatewayId, kind });
  const store = (verdict: CallbackVerdict, kept: KeptFields, error: string | null, result?: Prisma.InputJsonObject) =>
    deps.db.gatewayCallback.create({ data: { ...record, body: kept, verdict, error: error?.slice(0, MAX_ERROR) ?? null, ...(result ? { result } : {}) } });

  if (gateway.unavailable) {
    log.warn(gateway.unavailable);
    await store('INVALID', {}, gateway.unavailable);
    return reply.status(403).send({ error: AUTH_MESSAGES.endpointForbidden, reason: gateway.unavailable });
  }
  if (deps.config.callbackIpAllowlist && !fromSourceNetwork(gateway.adapter.callbacks.sourceNetworks, request.ip)) {
    log.warn({ ip: request.ip }, 'gateway callback refused: not from a documented source network');
    await store('MISSING', {}, `source ${request.ip} is not an allowed network`);
    return reply.status(403).send({ error: 'source address not allowed' });
  }

  let parsed: ParsedCallback;
  try {
    parsed = given ?? await gateway.adapter.parseCallback(gateway.env, gateway.creds, {
      kind,
      rawBody,
      contentType: String(request.headers['content-type'] ?? ''),
      headers: request.headers,
    });
  } catch (err) {
    // A fault of ours, not of the body: keep it for a person and let the gateway try again.
    log.error({ err }, 'gateway callback could not be handled');
    await store('UNREADABLE', {}, `internal error: ${(err as Error).message}`, { outcome: { result: 'retry' } });
    const answer = gateway.adapter.answerCallback(kind, { result: 'retry' });
    return reply.status(answer.status).send(answer.body);
  }

  if (fromCache && parsed.verdict !== 'VALID') return serveAfresh(deps, request, reply, gateway, kind);
  if (parsed.verdict !== 'VALID') {
    const outcome = parsed.verdict === 'UNREADABLE' ? { result: 'unreadable' as const } : { result: 'rejected' as const };
    if (parsed.verdict === 'UNREADABLE') {
      // A quota of their own: only a valid signature makes one, and unsigned junk (anyone's) must
      // not crowd them out; within it each is stored and counted on the gateway's hourly item.
      if (await withinRejectedQuota(deps, `${gatewayId}-unreadable`, UNREADABLE_KEPT_PER_MINUTE)) {
        log.error({ problem: parsed.problem }, 'signed gateway callback is unreadable: kept for manual handling');
        await storeUnreadableCallback(deps, gateway, { ...record, body: parsed.kept, error: parsed.problem.slice(0, MAX_ERROR), result: { outcome } });
      }
    } else if (await withinRejectedQuota(deps, gatewayId)) {
      log.warn({ verdict: parsed.verdict, problem: parsed.problem }, 'gateway callback rejected');
      await store(parsed.verdict, parsed.kept, parsed.problem, { outcome });
    }
    const answer = gateway.adapter.answerCallback(kind, outcome);
    return reply.status(answer.status).send(answer.body);
  }
  if ('retryLater' in parsed) {
    log.warn({ problem: parsed.retryLater }, 'gateway callback not confirmed yet; the gateway will send it again');
    await store('VALID', parsed.kept, parsed.retryLater, { outcome: { result: 'retry' } });
    const answer = gateway.adapter.answerCallback(kind, { result: 'retry' });
    return reply.status(answer.status).send(answer.body);
  }

  let outcome;
  try {
    outcome = await applyGatewayEvent(deps, gateway, `gateway:${gatewayId}`, parsed.event, { ...record, body: parsed.kept });
  } catch (err) {
    // Verified, but not applied (a fault of ours): nothing was written with it; the gateway sends it again.
    log.error({ err }, 'verified gateway callback could not be applied; the gateway will retry');
    await store('VALID', parsed.kept, `not applied: ${(err as Error).message}`, { outcome: { result: 'retry' } }).catch(() => undefined);
    outcome = { result: 'retry' as const };
  }
  if (outcome === STALE_GATEWAY) {
    if (fromCache) return serveAfresh(deps, request, reply, gateway, kind);
    // Changed while this very callback was applied: nothing was written; the gateway sends it again.
    outcome = { result: 'retry' as const };
  }
  log.info({ event: parsed.event.kind, outcome }, 'gateway callback handled');
  const answer = gateway.adapter.answerCallback(kind, outcome);
  return reply.status(answer.status).send(answer.body);
}

async function serveAfresh(deps: Deps, request: FastifyRequest, reply: FastifyReply, cached: LoadedGateway, kind: string): Promise<FastifyReply> {
  forgetGateway(deps, cached.id);
  let gateway;
  try {
    ({ gateway } = await cachedGateway(deps, cached.id));
  } catch (err) {
    request.log.error({ err, gatewayId: cached.id }, 'gateway callback: the gateway cannot be loaded');
    return reply.status(503).send({ error: 'try again later' });
  }
  if (!gateway || gateway.adapter.type !== cached.adapter.type) return reply.status(404).send({ error: 'unknown callback URL' });
  return serve(deps, request, reply, gateway, kind);
}

/** Unsigned requests anyone can send: each gateway keeps at most this many a minute as evidence. */
const REJECTED_KEPT_PER_MINUTE = 120;
const UNMATCHED_KEPT_PER_MINUTE = 600;
/** Signed but unreadable: a gateway sends these rarely; a flood means a replayed signature. */
const UNREADABLE_KEPT_PER_MINUTE = 30;

/** `scope`: a gateway id, or one of the shared URL's buckets. */
async function withinRejectedQuota(deps: Deps, scope: string, perMinute = REJECTED_KEPT_PER_MINUTE): Promise<boolean> {
  const key = `${deps.config.queuePrefix}:rejected-callbacks:${scope}:${Math.floor(Date.now() / 60_000)}`;
  try {
    const res = await deps.redis.multi().incr(key).expire(key, 61).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count === perMinute + 1) deps.log.warn({ scope }, `more than ${perMinute} rejected or unreadable callbacks this minute: the rest are counted, not stored`);
    return count <= perMinute;
  } catch {
    return true; // Redis away: keep the evidence
  }
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

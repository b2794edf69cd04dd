// The back office's CSV exports (docs/api.md "Back office"): the key in a header as for GraphQL
// (revoked and expired keys refused alike, read before anything is answered), the same per-key
// rate limit, every role. The filter arrives as PaymentFilter JSON in the query string and is
// coerced by the GraphQL schema's own input type, so it is read exactly as `payments` reads it.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { coerceInputValue, type GraphQLInputObjectType } from 'graphql';
import type { Ctx, Deps } from '../context';
import { AppError, badInput } from '../domain/errors';
import { lazyChild } from '../log';
import { serviceCtx } from '../resolvers/context';
import { buildGraphqlSchema } from '../resolvers/schema';
import { authenticate } from '../services/auth/authenticate';
import { exportLedger } from '../services/clients/export-ledger';
import { exportPayments, type ChunkCharge } from '../services/payments/export-payments';
import { AGGREGATE_COST, SCAN_COST } from '../resolvers/field-extensions';
import type { PaymentFilterInput } from '../services/payments/payment-filter';
import { withoutEchoedValues, withoutSuggestions } from './error-messages';
import { chargeRateLimit } from './rate-limit';

/**
 * An export reads the whole filtered set: priced up front as a list's scan and its totals (so a
 * filter no index serves, the key's default's included, is paid for already), then per chunk
 * streamed after the first: one unit per ROWS_PER_UNIT rows (docs/api.md, Limits).
 */
export const EXPORT_COST = SCAN_COST + AGGREGATE_COST;
export const ROWS_PER_UNIT = 100;
/** Exports one key, and this process, may stream at once (a stalled reader holds its slot, no connection). */
export const EXPORTS_PER_KEY = 2;
export const MAX_EXPORTS_PER_PROCESS = 4;
const BUSY_RETRY_SECONDS = 5;
/** A reader that takes nothing for this long loses its export (its slot, and its place at shutdown). */
export const EXPORT_IDLE_MS = 30_000;

/**
 * Each export runs its chunks one after another, so it holds at most one pool connection at a
 * time: the process cap bounds what exports can hold together, and it leaves half the pool to the
 * rest of the API.
 */
export function exportSlots(poolSize: number) {
  const perProcess = Math.max(1, Math.min(MAX_EXPORTS_PER_PROCESS, Math.floor(poolSize / 2)));
  const byKey = new Map<string, number>();
  let open = 0;
  const busy = (message: string) => new AppError('RATE_LIMITED', `${message}; retry after ${BUSY_RETRY_SECONDS} s`, { details: { retryAfterSeconds: BUSY_RETRY_SECONDS } });
  return {
    perProcess,
    /** A slot for the key's export, or RATE_LIMITED; the release it returns may be called more than once. */
    take(tokenId: string): () => void {
      const mine = byKey.get(tokenId) ?? 0;
      if (mine >= EXPORTS_PER_KEY) throw busy(`this key already has ${EXPORTS_PER_KEY} exports under way`);
      if (open >= perProcess) throw busy('the server is streaming as many exports as it runs at once');
      byKey.set(tokenId, mine + 1);
      open++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        const left = (byKey.get(tokenId) ?? 1) - 1;
        if (left) byKey.set(tokenId, left);
        else byKey.delete(tokenId);
      };
    },
  };
}

export function filterFromQuery(type: GraphQLInputObjectType, raw: unknown): PaymentFilterInput | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw badInput('filter must be given once, as PaymentFilter JSON', 'filter');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badInput('filter is not JSON: give a url-encoded PaymentFilter object', 'filter');
  }
  if (value === null) return null;
  let problem: string | undefined;
  const coerced = coerceInputValue(value, type, (path, _value, error) => {
    problem ??= `filter${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${withoutSuggestions(withoutEchoedValues(error.message))}`;
  });
  if (problem) throw badInput(problem, 'filter');
  return coerced as PaymentFilterInput;
}

export async function exportRoutes(app: FastifyInstance, { deps }: { deps: Deps }): Promise<void> {
  const filterType = (await buildGraphqlSchema()).getType('PaymentFilter') as GraphQLInputObjectType;
  const slots = exportSlots(deps.config.databasePoolSize);
  const streaming = new Set<{ stream: Readable; reply: FastifyReply }>();
  // Before the server waits for requests in flight: an export is cut (its reader sees a truncated transfer), not waited for.
  app.addHook('preClose', (done) => {
    for (const { stream, reply } of streaming) {
      stream.destroy();
      reply.raw.destroy();
    }
    done();
  });

  type Csv = (ctx: Ctx, charge: ChunkCharge) => Promise<AsyncGenerator<string>>;
  const serve = async (request: FastifyRequest, reply: FastifyReply, filename: string, csvOf: Csv) => {
    const key = await authenticate(deps, request.headers);
    await key.ensure();
    const { principal } = key;
    const release = slots.take(principal.tokenId);
    try {
      await chargeRateLimit(deps, principal, EXPORT_COST);
      deps.usage.count(principal.tokenId, principal.orgId);
      const ctx = serviceCtx({ deps, key, log: lazyChild(deps.log, { reqId: request.id, orgId: principal.orgId, tokenId: principal.tokenId }) });
      const csv = await csvOf(ctx, (rows) => chargeRateLimit(deps, principal, Math.ceil(rows / ROWS_PER_UNIT)));
      // objectMode off: the stream buffers 16 KB, so the next chunk is read only as the socket drains.
      // A later chunk that fails (the key revoked, the rate limit spent) aborts the response (no last
      // chunk): a cut export never looks whole.
      // A chunk is read only once the reader has taken nearly all of the one before: none for
      // EXPORT_IDLE_MS means a stalled reader, whose export is cut.
      const idle = setTimeout(() => stream.destroy(), EXPORT_IDLE_MS).unref();
      const stream = Readable.from((async function* () {
        for await (const part of csv) {
          idle.refresh();
          yield part;
        }
      })(), { objectMode: false });
      const entry = { stream, reply };
      streaming.add(entry);
      stream.once('close', () => {
        clearTimeout(idle);
        streaming.delete(entry);
        release();
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(stream);
    } catch (err) {
      release();
      throw err;
    }
  };

  app.get('/exports/payments.csv', (request, reply) => serve(request, reply, 'payments.csv', (ctx, charge) =>
    exportPayments(ctx, filterFromQuery(filterType, (request.query as { filter?: unknown }).filter), { charge })));

  app.get<{ Params: { id: string } }>('/exports/clients/:id/ledger.csv', (request, reply) => serve(request, reply, 'ledger.csv', (ctx, charge) =>
    exportLedger(ctx, request.params.id, { charge })));
}

// The back office's CSV exports (docs/api.md "Back office"): the key in a header as for GraphQL
// (revoked and expired keys refused alike, read before anything is answered), the same per-key
// rate limit, every role. The filter arrives as PaymentFilter JSON in the query string and is
// coerced by the GraphQL schema's own input type, so it is read exactly as `payments` reads it.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { coerceInputValue, type GraphQLInputObjectType } from 'graphql';
import type { Ctx, Deps } from '../context';
import { badInput } from '../domain/errors';
import { lazyChild } from '../log';
import { serviceCtx } from '../resolvers/context';
import { buildGraphqlSchema } from '../resolvers/schema';
import { authenticate } from '../services/auth/authenticate';
import { exportLedger } from '../services/clients/export-ledger';
import { exportPayments } from '../services/payments/export-payments';
import type { PaymentFilterInput } from '../services/payments/payment-filter';
import { withoutEchoedValues, withoutSuggestions } from './error-messages';
import { chargeRateLimit } from './rate-limit';

/** An export reads the whole filtered set: priced as a list's scan and its totals (docs/api.md, Limits). */
export const EXPORT_COST = 200;

async function exportCtx(deps: Deps, request: FastifyRequest): Promise<Ctx> {
  const key = await authenticate(deps, request.headers);
  await key.ensure();
  const { principal } = key;
  await chargeRateLimit(deps, principal, EXPORT_COST);
  deps.usage.count(principal.tokenId, principal.orgId);
  return serviceCtx({ deps, key, log: lazyChild(deps.log, { reqId: request.id, orgId: principal.orgId, tokenId: principal.tokenId }) });
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

function sendCsv(reply: FastifyReply, filename: string, csv: AsyncGenerator<string>) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    // objectMode off: the stream buffers 16 KB, so the next chunk is read only as the socket drains.
    // A later chunk that fails aborts the response (no last chunk): a cut export never looks whole.
    .send(Readable.from(csv, { objectMode: false }));
}

export async function exportRoutes(app: FastifyInstance, { deps }: { deps: Deps }): Promise<void> {
  const filterType = (await buildGraphqlSchema()).getType('PaymentFilter') as GraphQLInputObjectType;

  app.get('/exports/payments.csv', async (request, reply) => {
    const ctx = await exportCtx(deps, request);
    const filter = filterFromQuery(filterType, (request.query as { filter?: unknown }).filter);
    return sendCsv(reply, 'payments.csv', await exportPayments(ctx, filter));
  });

  app.get<{ Params: { id: string } }>('/exports/clients/:id/ledger.csv', async (request, reply) => {
    const ctx = await exportCtx(deps, request);
    return sendCsv(reply, 'ledger.csv', await exportLedger(ctx, request.params.id));
  });
}

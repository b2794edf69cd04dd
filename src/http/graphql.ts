import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { FastifyInstance } from 'fastify';
import { visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Deps } from '../context';
import { AppError, AUTH_MESSAGES } from '../domain/errors';
import { buildGraphqlSchema } from '../resolvers/schema';
import type { GqlContext } from '../resolvers/context';
import { authenticate } from '../services/auth/authenticate';
import { formatGraphqlError, HTTP_STATUS_CODES, toGraphQLError } from './errors';
import { costOf, documentShapeProblem, limitRules, LIMITS, sizeUnits } from './graphql-limits';
import { chargeRateLimit } from './rate-limit';
import { servedOperationsOnly } from './served-operations';
import { redact, writeOnlyFieldNames, writeOnlyValues } from './write-only';
import { registerExplorer } from './explorer';
import { keyChecked } from './graphql-key-check';
import { auditMutations } from './graphql-audit';
import { lazyChild } from '../log';

export async function registerGraphql(app: FastifyInstance, deps: Deps): Promise<void> {
  const schema = await buildGraphqlSchema();
  const production = deps.config.env === 'production';
  const apollo = new ApolloServer<GqlContext>({
    schema,
    // Introspection is refused in production by refuseIntrospection (a 403, as the document's
    // switched-off endpoints are), not by Apollo's validation error.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: LIMITS.maxTokens },
    validationRules: [servedOperationsOnly, ...limitRules()],
    formatError: formatGraphqlError(deps.log, { hideSuggestions: production }),
    // Apollo's landing page loads its Sandbox from a CDN; ours (explorer.ts) is self-contained.
    // keyChecked first (nothing runs for a revoked key) and last to answer (it may replace the answer).
    plugins: [keyChecked(), fastifyApolloDrainPlugin(app), ApolloServerPluginLandingPageDisabled(), ...(production ? [refuseIntrospection()] : []), costAndRate(deps, schema), httpStatusOfRefusals(), secretsOutOfErrors(schema), auditMutations(deps, schema)],
  });
  await apollo.start();
  if (!production) registerExplorer(app);
  // Before Apollo parses anything: what the text alone shows to be too big is refused here.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql') return;
    const query = (request.method === 'GET' ? (request.query as { query?: unknown }) : (request.body as { query?: unknown } | null))?.query;
    const problem = typeof query === 'string' ? documentShapeProblem(query) : null;
    if (problem) return reply.status(400).send({ errors: [{ message: problem, extensions: { code: 'BAD_USER_INPUT' } }] });
  });
  await app.register(fastifyApollo(apollo), {
    context: async (request): Promise<GqlContext> => {
      try {
        const key = await authenticate(deps, request.headers);
        const { principal } = key;
        return { deps, key, log: lazyChild(deps.log, { reqId: request.id, orgId: principal.orgId, tokenId: principal.tokenId }), remoteAddress: request.ip };
      } catch (err) {
        throw err instanceof AppError ? toGraphQLError(err) : err;
      }
    },
  });
}

/**
 * Once the operation is known (parsed, validated): refuse it if it costs more than one document
 * may, then charge its cost (at least its size in units) to the key's per-minute budget. A request
 * that never got that far (unparsable, invalid) is charged its size.
 */
function costAndRate(deps: Deps, schema: GraphQLSchema): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      let charged = false;
      return {
        async didResolveOperation({ request, document, contextValue }) {
          const cost = costOf(schema, document, request.variables, request.operationName ?? undefined);
          const size = sizeUnits(request.query);
          charged = true;
          if (!cost.ok) {
            await chargeRateLimit(deps, contextValue.key.principal, size).catch(() => undefined);
            throw toGraphQLError(new AppError('BAD_USER_INPUT', cost.message), 400);
          }
          await chargeRateLimit(deps, contextValue.key.principal, Math.max(cost.cost, size)).catch((err) => {
            throw err instanceof AppError ? toGraphQLError(err) : err;
          });
        },
        async didEncounterErrors({ request, contextValue, operation }) {
          // unparsable or invalid: it cost parsing and validating
          if (!charged && !operation && contextValue?.key) await chargeRateLimit(deps, contextValue.key.principal, sizeUnits(request.query)).catch(() => undefined);
        },
      };
    },
  };
}

/** Per parsed document (Apollo hands every request of one query text the same one). */
const introspecting = new WeakMap<DocumentNode, boolean>();
function introspects(document: DocumentNode): boolean {
  let found = introspecting.get(document);
  if (found === undefined) {
    found = false;
    visit(document, { Field: (node) => void (found ||= node.name.value === '__schema' || node.name.value === '__type') });
    introspecting.set(document, found);
  }
  return found;
}

/** `__schema` / `__type` anywhere in the document: 403 "Requested endpoint is forbidden". */
function refuseIntrospection(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document }) {
          if (introspects(document)) throw toGraphQLError(new AppError('FORBIDDEN', AUTH_MESSAGES.endpointForbidden));
        },
      };
    },
  };
}

/** A resolver refusing for lack of role (or rate) answers with the HTTP status docs/api.md gives. */
function httpStatusOfRefusals(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          const status = errors
            ?.map((e) => (e.originalError instanceof AppError ? HTTP_STATUS_CODES[e.originalError.code] : undefined))
            .find(Boolean);
          if (status && response.body.kind === 'single' && !response.body.singleResult.data) response.http.status = status;
        },
      };
    },
  };
}

/** The values of write-only input fields are taken out of every error message (see write-only.ts). */
function secretsOutOfErrors(schema: GraphQLSchema): ApolloServerPlugin<GqlContext> {
  const names = writeOnlyFieldNames(schema);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, document }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors?.length) return;
          const values = writeOnlyValues(names, request.variables, request.query, document);
          if (!values.length) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({ ...e, message: redact(e.message, values) }));
        },
      };
    },
  };
}

import { ApolloServer } from '@apollo/server';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../context';
import { AppError } from '../domain/errors';
import { buildGraphqlSchema } from '../resolvers/schema';
import type { GqlContext } from '../resolvers/context';
import { depthLimit } from '../resolvers/limits';
import { authenticate } from '../services/auth/authenticate';
import { formatGraphqlError, HTTP_STATUS_CODES, toGraphQLError } from './errors';
import { enforceRateLimit } from './rate-limit';

const MAX_QUERY_DEPTH = 10;

export async function registerGraphql(app: FastifyInstance, deps: Deps): Promise<void> {
  const apollo = new ApolloServer<GqlContext>({
    schema: await buildGraphqlSchema(),
    introspection: deps.config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimit(MAX_QUERY_DEPTH)],
    formatError: formatGraphqlError(deps.log),
    plugins: [
      fastifyApolloDrainPlugin(app),
      {
        // A resolver refusing for lack of role (or rate) answers with the HTTP status api.md gives.
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
      },
    ],
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo), {
    context: async (request): Promise<GqlContext> => {
      try {
        const principal = await authenticate(deps, request.headers.authorization);
        await enforceRateLimit(deps, principal.tokenId);
        return { deps, principal, log: deps.log.child({ reqId: request.id, orgId: principal.orgId, tokenId: principal.tokenId }) };
      } catch (err) {
        throw err instanceof AppError ? toGraphQLError(err) : err;
      }
    },
  });
}

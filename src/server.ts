// Builds the Fastify app: plugins, routes, GraphQL. No business logic here.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Deps } from './context';
import { AppError, AUTH_MESSAGES } from './domain/errors';
import { toAppError } from './http/errors';
import { registerGraphql } from './http/graphql';
import { LIMITS } from './http/graphql-limits';
import { registerHealthRoutes } from './http/health';
import { gatewayCallbackRoutes } from './http/gateway-callbacks';
import { exportRoutes } from './http/exports';
import { registerSandbox } from './sandbox';
import { lazyChild, type Logger } from './log';

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    // a client id is up to 128 characters, each of : and @ three when percent-encoded
    routerOptions: { maxParamLength: 512 },
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: LIMITS.maxBodyBytes, // GraphQL documents; gateway callbacks set their own
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, options) => lazyChild(logger as Logger, bindings, options) as FastifyBaseLogger,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: deps.config.trustProxy,
  });

  app.setErrorHandler((err, request, reply) => {
    const { error, status } = toAppError(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : error.message;
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    if (request.url.startsWith('/graphql')) {
      return reply.status(status).send({ errors: [{ message, extensions: { code: error.code } }] });
    }
    return reply.status(status).send({ error: message, code: error.code });
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('NOT_FOUND', `${request.method} ${request.url.split('?')[0]} not found`);
    return reply.status(404).send({ error: error.message, code: error.code });
  });

  registerHealthRoutes(app, deps);
  await app.register(gatewayCallbackRoutes, { deps });
  if (deps.config.sandboxEnabled) await registerSandbox(app, deps);
  else {
    // Switched off, not missing: say so, as the platform document's key errors do.
    app.all('/sandbox/*', async (_request, reply) => reply.status(403).send({ error: AUTH_MESSAGES.endpointForbidden, code: 'FORBIDDEN' }));
  }
  await registerGraphql(app, deps);
  await app.register(exportRoutes, { deps });
  return app;
}

import type { FastifyInstance } from 'fastify';
import type { Deps } from '../context';
import { authenticateNow } from '../services/auth/authenticate';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function registerHealthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([
      withTimeout(deps.db.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS).then(() => 'up' as const, () => 'down' as const),
      withTimeout(deps.redis.ping(), CHECK_TIMEOUT_MS).then(() => 'up' as const, () => 'down' as const),
    ]);
    const ready = postgres === 'up' && redis === 'up';
    if (!ready) deps.log.warn({ postgres, redis }, 'not ready');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } });
  });

  // Lets integrators check a key without GraphQL. Errors go through the app's error handler.
  app.get('/auth/status', async (request) => {
    await authenticateNow(deps, request.headers);
    return { status: 'OK', message: 'Your API key is valid' };
  });
}

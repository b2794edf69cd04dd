// A real Paygate listening on loopback, with its own database and queue prefix.
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config';
import { closeDeps, createDeps, type Deps } from '../../src/context';
import { loggerOptions } from '../../src/log';
import { buildApp } from '../../src/server';
import { createOrganization, issueToken } from '../../src/services/auth/tokens';
import type { Role } from '../../src/generated/prisma/enums';
import { createTestDatabase } from './database';
import { startWorkers, type Workers } from '../../src/jobs/workers';
import { REDIS_URL, TEST_ENCRYPTION_KEY } from './env';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface GqlResponse<T = any> {
  status: number;
  body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown }; path?: string[] }> };
}

export interface TestApp {
  url: string;
  deps: Deps;
  app: FastifyInstance;
  /** Everything the app logged, as text (to prove secrets never reach the log). */
  logs(): string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  startWorkers(): Promise<void>;
  stopWorkers(force?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp(label: string, env: Record<string, string> = {}, options: { workers?: boolean } = {}): Promise<TestApp> {
  const port = await freePort();
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase(label));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    QUEUE_PREFIX: `pgtest_${label}_${process.pid}`,
    PAYGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // Tests talk to loopback only: a gateway API a test did not start a simulator for refuses at once.
    CLOUDPAYMENTS_API_URL: 'http://127.0.0.1:9',
    CRYPTOCLOUD_API_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'info',
    // Tests drive one key hard; the rate-limit tests switch it on.
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } });
  const log = pino(loggerOptions('debug'), sink);
  const deps = createDeps(config, log);
  // The producer connection fails fast while connecting; let it connect before the test starts.
  if (deps.redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      deps.redis.once('ready', () => { clearTimeout(timer); resolve(); });
    });
  }
  const app = await buildApp(deps);
  await app.listen({ host: config.host, port: config.port });
  let workers: Workers | undefined = options.workers ? await startWorkers(deps) : undefined;
  const url = config.publicUrl;

  return {
    url,
    deps,
    app,
    logs: () => chunks.join(''),
    async gql(query, variables, token) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: (await res.json()) as GqlResponse['body'] };
    },
    async stopWorkers(force = false) {
      await workers?.close(force);
      workers = undefined;
    },
    async startWorkers() {
      workers ??= await startWorkers(deps);
    },
    async close() {
      await app.close();
      await workers?.close();
      await Promise.all(Object.values(deps.queues).map((q) => q.obliterate({ force: true }).catch(() => undefined)));
      await closeDeps(deps);
    },
  };
}

/** Persisted organization with an OWNER token. */
/** token: a LIVE OWNER key; testToken: a TEST OWNER key. */
export async function makeOrg(deps: Deps, name = 'Test club chain'): Promise<{ orgId: string; token: string; testToken: string }> {
  const { organizationId, token, testToken } = await createOrganization(deps.db, name);
  return { orgId: organizationId, token, testToken };
}

export async function makeToken(
  deps: Deps, orgId: string, role: Role, options: { expiresInMs?: number; environment?: 'LIVE' | 'TEST'; rateLimitPerMinute?: number } = {},
): Promise<{ id: string; token: string }> {
  const { expiresInMs, ...rest } = options;
  const issued = await issueToken(deps.db, orgId, role, rest);
  // Set afterwards: a key meant to expire within milliseconds must exist first.
  if (expiresInMs !== undefined) await deps.db.apiToken.update({ where: { id: issued.id }, data: { expiresAt: new Date(Date.now() + expiresInMs) } });
  return issued;
}

// What every request, job and CLI command works with. Built once per process in main.ts.
import type { Redis } from 'ioredis';
import { createQueues, type Queues } from './queues';
import type { Config } from './config';
import type { Pool } from 'pg';
import { createDb, createPool, type Db } from './db';
import { createLogger, type Logger } from './log';
import { createRedis } from './redis';
import { createSecretBox, type SecretBox } from './security/secret-box';
import type { KeyCheck } from './services/auth/authenticate';
import { createKeyCache, type KeyCache } from './services/auth/key-cache';
import { createUsageMeter, type UsageMeter } from './services/auth/usage';
import { createOutboxSignal, type OutboxSignal } from './services/outbox/signal';
import type { Environment, Role } from './generated/prisma/enums';

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  /** The pool under `db`, for the hot-path reads that skip Prisma's runtime (prepared statements). */
  readonly pg: Pool;
  /** Producer connection: fails fast while Redis is away. */
  readonly redis: Redis;
  readonly log: Logger;
  readonly secrets: SecretBox;
  readonly queues: Queues;
  /** After commit: wakes the outbox consumers, here and in other processes. */
  readonly outboxSignal: OutboxSignal;
  /** API keys' request counts, batched into Redis. */
  readonly usage: UsageMeter;
  /** API keys this process has seen (never whether they are revoked: see KeyCheck). */
  readonly keys: KeyCache;
}

/** Who is acting, in which organization: the first argument of every service function. */
export interface Ctx {
  readonly deps: Deps;
  readonly orgId: string;
  /** The key's environment: everything the request reads or writes is in it (docs/api.md). */
  readonly env: Environment;
  readonly role: Role;
  /** For history and ledger rows: "token:tok_…", "cli", "system:expiry", "gateway:gw_…". */
  readonly actor: string;
  /** The acting key's label, when a key acts. */
  readonly actorName?: string | null;
  readonly log: Logger;
  /** An API request's key, when it may still need checking (see KeyCheck); absent for jobs and the CLI. */
  readonly key?: KeyCheck;
}

export function createDeps(config: Config, log = createLogger({ level: config.logLevel })): Deps {
  const redis = createRedis(config.redisUrl.reveal(), 'producer');
  const pg = createPool(config.databaseUrl.reveal(), config.databasePoolSize);
  // An idle connection that fails (Postgres restarted) is replaced; it must not end the process.
  pg.on('error', (err) => log.warn({ err }, 'an idle Postgres connection failed'));
  const db = createDb(pg);
  return {
    config,
    db,
    pg,
    redis,
    usage: createUsageMeter(db, redis, config.queuePrefix, log),
    keys: createKeyCache(),
    queues: createQueues(redis, config.queuePrefix, log),
    outboxSignal: createOutboxSignal(redis, config.queuePrefix, log),
    log,
    secrets: createSecretBox(config.encryption.key.reveal(), config.encryption.oldKeys.map((k) => k.reveal())),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.usage.close();
  await Promise.all(Object.values(deps.queues).map((q) => q.close()));
  await deps.db.$disconnect();
  await deps.pg.end().catch(() => undefined);
  deps.redis.disconnect();
}

export function systemCtx(deps: Deps, orgId: string, env: Environment, actor: string): Ctx {
  return { deps, orgId, env, role: 'OWNER', actor, log: deps.log.child({ orgId, env, actor }) };
}

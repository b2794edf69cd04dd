// What every request, job and CLI command works with. Built once per process in main.ts.
import type { Redis } from 'ioredis';
import { createQueues, type Queues } from './queues';
import type { Config } from './config';
import { createDb, type Db } from './db';
import { createLogger, type Logger } from './log';
import { createRedis } from './redis';
import { createSecretBox, type SecretBox } from './security/secret-box';
import { createUsageMeter, type UsageMeter } from './services/auth/usage';
import type { Environment, Role } from './generated/prisma/enums';

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  /** Producer connection: fails fast while Redis is away. */
  readonly redis: Redis;
  readonly log: Logger;
  readonly secrets: SecretBox;
  readonly queues: Queues;
  /** API keys' request counts, batched into Redis. */
  readonly usage: UsageMeter;
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
  readonly log: Logger;
}

export function createDeps(config: Config, log = createLogger({ level: config.logLevel })): Deps {
  const redis = createRedis(config.redisUrl.reveal(), 'producer');
  const db = createDb(config.databaseUrl.reveal(), config.databasePoolSize);
  return {
    config,
    db,
    redis,
    usage: createUsageMeter(db, redis, config.queuePrefix, log),
    queues: createQueues(redis, config.queuePrefix, log),
    log,
    secrets: createSecretBox(config.encryption.key.reveal(), config.encryption.oldKeys.map((k) => k.reveal())),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.usage.close();
  await Promise.all(Object.values(deps.queues).map((q) => q.close()));
  await deps.db.$disconnect();
  deps.redis.disconnect();
}

export function systemCtx(deps: Deps, orgId: string, env: Environment, actor: string): Ctx {
  return { deps, orgId, env, role: 'OWNER', actor, log: deps.log.child({ orgId, env, actor }) };
}

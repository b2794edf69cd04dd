// The only reader of process.env. Parsed once; a bad value stops start-up naming the variable.
import { z } from 'zod';
import { Secret } from './security/secret';
import { parseDuration } from './domain/duration';
import type { GatewayType } from './generated/prisma/enums';
import { gateways } from './gateways/registry';

/** Fixed key for development only; start-up logs a loud warning when it is used. */
const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 'paygate-development-key-not-secret').toString('base64');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

const encryptionKey = z.string().refine((v) => {
  const raw = Buffer.from(v, 'base64');
  return raw.length === 32 && raw.toString('base64') === v.replace(/\s/g, '');
}, 'must be the base64 of exactly 32 bytes (openssl rand -base64 32)');

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 2h, 900s or 1800 (seconds)' });
    return z.NEVER;
  }
  return ms;
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/paygate'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().regex(/^[\w{}:-]{1,64}$/, 'must be 1-64 word characters').default('paygate'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(4000),
    PUBLIC_URL: httpUrl.optional(),
    PAYGATE_ENCRYPTION_KEY: encryptionKey.optional(),
    PAYGATE_ENCRYPTION_OLD_KEYS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(encryptionKey)),
    PAYGATE_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    WEBHOOK_ALLOW_PRIVATE_URLS: bool.default(false),
    SANDBOX_ENABLED: bool.optional(),
    CALLBACK_IP_ALLOWLIST: bool.default(false),
    WEBHOOK_RETRY_DELAYS: z
      .string()
      .default('0,5s,5m,30m,2h,5h,10h,10h')
      .transform((v, ctx) => {
        const delays = v.split(',').map((d) => parseDuration(d.trim()));
        if (!delays.length || delays.some((d) => d === null)) {
          ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of durations, e.g. 0,5s,5m,30m' });
          return z.NEVER;
        }
        return delays as number[];
      }),
    WEBHOOK_TIMEOUT: duration.default(10_000),
    WEBHOOK_DISABLE_AFTER: duration.default(3 * 86_400_000),
    WORKER_LOCK_DURATION: duration.default(30_000),
    TRUST_PROXY: z.string().default('false'),
    PAYMENT_TTL: duration
      .default(30 * 60 * 1000)
      .refine((ms) => ms >= 60_000 && ms <= 30 * 86_400_000, 'must be between 1 minute and 30 days'),
    /** Cost units (see src/http/graphql-limits.ts) per API key per minute. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(0).default(6000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How many times faster than real time the sandbox's subscription schedule runs (86400: a DAY interval charges every second). */
    SANDBOX_TIME_SCALE: z.coerce.number({ message: 'must be a number' }).min(1).max(100_000_000).default(1),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.PAYGATE_ENCRYPTION_KEY) {
      ctx.addIssue({ code: 'custom', path: ['PAYGATE_ENCRYPTION_KEY'], message: 'is required when NODE_ENV=production' });
    }
    // With every proxy trusted, a caller writes its own X-Forwarded-For and the allow-list means nothing.
    if (env.CALLBACK_IP_ALLOWLIST && env.TRUST_PROXY === 'true') {
      ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: 'must list the proxies\' addresses (not true) when CALLBACK_IP_ALLOWLIST is on' });
    }
  });

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly databaseUrl: Secret<string>;
  readonly databasePoolSize: number;
  readonly redisUrl: Secret<string>;
  readonly queuePrefix: string;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly encryption: {
    readonly key: Secret<Buffer>;
    readonly oldKeys: readonly Secret<Buffer>[];
    /** True when PAYGATE_ENCRYPTION_KEY was not set and the development key is in use. */
    readonly usingDevelopmentKey: boolean;
  };
  /** Each gateway's API base URL, from the variable its adapter names (see gatewayApiVariables). */
  readonly gatewayApiUrls: Readonly<Partial<Record<GatewayType, string>>>;
  readonly role: Role;
  readonly webhookAllowPrivateUrls: boolean;
  readonly webhooks: {
    /** Delay before each attempt (the first is usually 0); the count is the number of attempts. */
    readonly retryDelaysMs: readonly number[];
    readonly timeoutMs: number;
    /** An endpoint failing every attempt for this long is disabled. */
    readonly disableAfterMs: number;
  };
  /** The built-in SANDBOX gateway (test cards credit real balances): off in production unless asked for. */
  readonly sandboxEnabled: boolean;
  /** Accept gateway callbacks only from the gateway's documented source networks. */
  readonly callbackIpAllowlist: boolean;
  /** Fastify's trustProxy: false, true, or the proxies' addresses/CIDRs (comma-separated). */
  readonly trustProxy: boolean | string;
  readonly paymentTtlMs: number;
  readonly rateLimitPerMinute: number;
  /** BullMQ job lock: how soon a job whose worker died is run again. */
  readonly workerLockDurationMs: number;
  readonly logLevel: string;
  readonly sandboxTimeScale: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_VARIABLES = new Set(['PAYGATE_ENCRYPTION_KEY', 'PAYGATE_ENCRYPTION_OLD_KEYS', 'DATABASE_URL', 'REDIS_URL']);

/** The API base URL variables the gateway adapters declare, with their defaults. */
const gatewayApiVariables = () =>
  Object.values(gateways).flatMap((a) => ('env' in a.api ? [{ type: a.type, env: a.api.env, default: a.api.default }] : []));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = (key: string) => (env[key] !== undefined && env[key] !== '' ? env[key] : undefined);
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = given(key);
    if (value !== undefined) input[key] = value;
  }
  const parsed = schema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'configuration');
    const shown = SECRET_VARIABLES.has(name) || input[name] === undefined ? '' : ` (got ${JSON.stringify(input[name])})`;
    return `${name} ${issue.message}${shown}`;
  });
  const apiUrls: Partial<Record<GatewayType, string>> = {};
  for (const v of gatewayApiVariables()) {
    const url = httpUrl.safeParse(given(v.env) ?? v.default);
    if (url.success) apiUrls[v.type] = url.data;
    else problems.push(`${v.env} must be an http(s) URL (got ${JSON.stringify(given(v.env))})`);
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const key = e.PAYGATE_ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY;
  return Object.freeze({
    env: e.NODE_ENV,
    databaseUrl: new Secret(e.DATABASE_URL),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: new Secret(e.REDIS_URL),
    queuePrefix: e.QUEUE_PREFIX,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    encryption: Object.freeze({
      key: new Secret(Buffer.from(key, 'base64')),
      oldKeys: Object.freeze(e.PAYGATE_ENCRYPTION_OLD_KEYS.map((k) => new Secret(Buffer.from(k, 'base64')))),
      usingDevelopmentKey: !e.PAYGATE_ENCRYPTION_KEY,
    }),
    gatewayApiUrls: Object.freeze(apiUrls),
    role: e.PAYGATE_ROLE,
    webhookAllowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS,
    webhooks: Object.freeze({ retryDelaysMs: Object.freeze(e.WEBHOOK_RETRY_DELAYS), timeoutMs: e.WEBHOOK_TIMEOUT, disableAfterMs: e.WEBHOOK_DISABLE_AFTER }),
    sandboxEnabled: e.SANDBOX_ENABLED ?? e.NODE_ENV !== 'production',
    callbackIpAllowlist: e.CALLBACK_IP_ALLOWLIST,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY,
    paymentTtlMs: e.PAYMENT_TTL,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    workerLockDurationMs: e.WORKER_LOCK_DURATION,
    logLevel: e.LOG_LEVEL,
    sandboxTimeScale: e.SANDBOX_TIME_SCALE,
  });
}

import type { Deps } from '../context';
import { AppError } from '../domain/errors';

/**
 * Fixed one-minute window per API token, counted in Redis so every api process shares it.
 * If Redis is unreachable the request is let through: the limit protects us, it must not take
 * the API down with Redis.
 */
export async function enforceRateLimit(deps: Deps, tokenId: string): Promise<void> {
  const limit = deps.config.rateLimitPerMinute;
  if (limit === 0) return;
  const minute = Math.floor(Date.now() / 60_000);
  const key = `${deps.config.queuePrefix}:ratelimit:${tokenId}:${minute}`;
  let count: number;
  try {
    const res = await deps.redis.multi().incr(key).expire(key, 61).exec();
    count = Number(res?.[0]?.[1] ?? 0);
  } catch (err) {
    deps.log.warn({ err }, 'rate limit check skipped: Redis unavailable');
    return;
  }
  if (count > limit) {
    throw new AppError('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded; retry after the minute ends`);
  }
}

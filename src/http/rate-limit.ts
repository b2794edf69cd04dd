import type { Deps } from '../context';
import { AppError } from '../domain/errors';
import type { Principal } from '../services/auth/authenticate';

/**
 * Charges `units` (the document's cost) to the key's fixed one-minute window, counted in Redis so
 * every api process shares it. If Redis is unreachable the request is let through: the limit
 * protects us, it must not take the API down with Redis.
 */
export async function chargeRateLimit(deps: Deps, principal: Principal, units: number): Promise<void> {
  const limit = principal.rateLimitPerMinute;
  const now = Date.now();
  const minute = Math.floor(now / 60_000);
  const key = `${deps.config.queuePrefix}:ratelimit:${principal.tokenId}:${minute}`;
  if (limit === 0) return;
  let used: number;
  try {
    const res = await deps.redis.multi().incrby(key, units).expire(key, 61).exec();
    used = Number(res?.[0]?.[1] ?? 0);
  } catch (err) {
    deps.log.warn({ err }, 'rate limit check skipped: Redis unavailable');
    return;
  }
  if (used > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
    throw new AppError('RATE_LIMITED', `Rate limit of ${limit} cost units per minute exceeded (this request costs ${units}); retry after ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds },
    });
  }
}

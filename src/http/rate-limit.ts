import type { Deps } from '../context';
import { AppError } from '../domain/errors';
import type { Principal } from '../services/auth/authenticate';
import { usageKey } from '../services/auth/usage';

/**
 * Charges `units` (the document's cost) to the API key's fixed one-minute window and counts the
 * request in the key's usage for today, in one Redis round trip shared by every api process (no
 * database write per request). If Redis is unreachable the request is let through: the limit
 * protects us, it must not take the API down with Redis.
 */
export async function chargeRateLimit(deps: Deps, principal: Principal, units: number): Promise<void> {
  const limit = principal.rateLimitPerMinute;
  const now = Date.now();
  const minute = Math.floor(now / 60_000);
  const key = `${deps.config.queuePrefix}:ratelimit:${principal.tokenId}:${minute}`;
  const usage = usageKey(deps.config.queuePrefix, principal.tokenId, principal.timeZone, new Date(now));
  let used: number;
  try {
    const multi = deps.redis.multi().incr(usage).expire(usage, 3 * 86_400);
    if (limit > 0) multi.incrby(key, units).expire(key, 61);
    const res = await multi.exec();
    used = Number(res?.[2]?.[1] ?? 0);
  } catch (err) {
    deps.log.warn({ err }, 'rate limit check skipped: Redis unavailable');
    return;
  }
  if (limit > 0 && used > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
    throw new AppError('RATE_LIMITED', `Rate limit of ${limit} cost units per minute exceeded (this request costs ${units}); retry after ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds },
    });
  }
}

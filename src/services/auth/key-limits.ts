// Per-key limits. LIVE keys get RATE_LIMIT_PER_MINUTE and TEST keys a tenth of it (test keys are
// for integration code, not traffic); a key's own limit may only be lower: the operator's limit
// protects the service, and no tenant may lift it. RATE_LIMIT_PER_MINUTE=0 turns every limit off,
// a key's own included.
import type { Environment } from '../../generated/prisma/enums';

export const TEST_KEY_SHARE = 10;

export function keyRateLimit(configured: number, key: { environment: Environment; rateLimitPerMinute: number | null }): number {
  if (configured === 0) return 0;
  const ceiling = environmentLimit(configured, key.environment);
  return key.rateLimitPerMinute === null ? ceiling : Math.min(key.rateLimitPerMinute, ceiling);
}

export function environmentLimit(configured: number, environment: Environment): number {
  return environment === 'LIVE' ? configured : Math.max(1, Math.floor(configured / TEST_KEY_SHARE));
}

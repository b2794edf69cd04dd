// Per-key limits. A key's own limit wins; otherwise LIVE keys get RATE_LIMIT_PER_MINUTE and TEST
// keys a tenth of it (test keys are for integration code, not traffic). RATE_LIMIT_PER_MINUTE=0
// turns every limit off, a key's own included.
import type { Environment } from '../../generated/prisma/enums';

export const TEST_KEY_SHARE = 10;

export function keyRateLimit(configured: number, key: { environment: Environment; rateLimitPerMinute: number | null }): number {
  if (configured === 0) return 0;
  if (key.rateLimitPerMinute !== null) return key.rateLimitPerMinute;
  return key.environment === 'LIVE' ? configured : Math.max(1, Math.floor(configured / TEST_KEY_SHARE));
}

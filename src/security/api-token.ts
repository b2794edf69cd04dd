// API tokens: 32 random bytes, shown once, stored as SHA-256 (the token is high-entropy, so a
// fast hash is enough and lookups stay one indexed read). The prefix says the key's environment
// (pgk_live_… / pgk_test_…, as Stripe's do) and is kept for display.
import { createHash, randomBytes } from 'node:crypto';
import type { Environment } from '../generated/prisma/enums';

const PREFIX: Record<Environment, string> = { LIVE: 'pgk_live_', TEST: 'pgk_test_' };
/** What is kept of a token to show it in lists: the environment prefix and 7 random characters. */
const SHOWN_CHARS = 16;

export function generateApiToken(environment: Environment): { token: string; prefix: string; hash: string } {
  const token = PREFIX[environment] + randomBytes(32).toString('base64url');
  return { token, prefix: token.slice(0, SHOWN_CHARS), hash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

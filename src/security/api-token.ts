// API tokens: 32 random bytes, shown once, stored as SHA-256 (the token is high-entropy, so a
// fast hash is enough and lookups stay one indexed read). The prefix is kept for display.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'pgk_';

export function generateApiToken(): { token: string; prefix: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, prefix: token.slice(0, 12), hash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

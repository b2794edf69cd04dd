// CloudPayments notification signatures (gateways.md 1.4): HMAC-SHA256 with the API Secret,
// base64. Content-HMAC is computed over the body as sent (URL-encoded for forms), X-Content-HMAC
// over the URL-decoded parameters. We check Content-HMAC first, over the exact raw bytes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureVerdict } from '../types';

export function hmacBase64(secret: string, message: string | Buffer): string {
  return createHmac('sha256', secret).update(message).digest('base64');
}

/** The form body URL-decoded the way X-Content-HMAC expects ("+" is a space). */
export function urlDecodedBody(raw: Buffer): string {
  const text = raw.toString('utf8');
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'base64');
  const b = Buffer.from(given.trim(), 'base64');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyNotification(
  secret: string,
  request: { rawBody: Buffer; isForm: boolean; contentHmac?: string; xContentHmac?: string },
): SignatureVerdict {
  const { rawBody, isForm, contentHmac, xContentHmac } = request;
  if (!contentHmac && !xContentHmac) return 'MISSING';
  if (contentHmac && sameSignature(hmacBase64(secret, rawBody), contentHmac)) return 'VALID';
  if (xContentHmac) {
    const message = isForm ? urlDecodedBody(rawBody) : rawBody;
    if (sameSignature(hmacBase64(secret, message), xContentHmac)) return 'VALID';
  }
  return 'INVALID';
}

/** Both headers, as CloudPayments sends them (used by the sandbox and the test simulators). */
export function signNotification(secret: string, body: string, isForm: boolean): Record<string, string> {
  return {
    'Content-HMAC': hmacBase64(secret, body),
    'X-Content-HMAC': hmacBase64(secret, isForm ? urlDecodedBody(Buffer.from(body)) : body),
  };
}

// CloudPayments notification signatures (docs/gateways.md, CloudPayments "Signatures"):
// HMAC-SHA256 with the API Secret, base64. Content-HMAC covers the body exactly as sent and is the
// only one we accept. X-Content-HMAC covers the URL-decoded parameters, so two different bodies
// can share it (a value holding "&InvoiceId=…" re-splices into other fields): never enough alone.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureVerdict } from '../types';

export function hmacBase64(secret: string, message: string | Buffer): string {
  return createHmac('sha256', secret).update(message).digest('base64');
}

/** Compares the base64 text itself: Node's base64 decoder skips characters it does not know. */
function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.trim());
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyNotification(secret: string, rawBody: Buffer, contentHmac: string | undefined): SignatureVerdict {
  if (!contentHmac) return 'MISSING';
  return sameSignature(hmacBase64(secret, rawBody), contentHmac) ? 'VALID' : 'INVALID';
}

/** Both headers, as CloudPayments sends them (used by the sandbox and the test simulators). */
export function signNotification(secret: string, body: string, isForm: boolean): Record<string, string> {
  return {
    'Content-HMAC': hmacBase64(secret, body),
    'X-Content-HMAC': hmacBase64(secret, isForm ? urlDecoded(body) : body),
  };
}

/** The form body URL-decoded the way X-Content-HMAC is computed ("+" is a space). */
function urlDecoded(body: string): string {
  try {
    return decodeURIComponent(body.replace(/\+/g, ' '));
  } catch {
    return body;
  }
}

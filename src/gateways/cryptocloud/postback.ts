// Postback authentication: an HS256 JWT signed with the project's postback secret, valid for
// 5 minutes, whose `id` (or `uuid`) names the invoice, with or without the INV- prefix.
import { errors, jwtVerify } from 'jose';
import type { SignatureVerdict } from '../types';

export type TokenCheck = { verdict: 'VALID'; invoiceId: string } | { verdict: Exclude<SignatureVerdict, 'VALID'>; problem: string };

export async function verifyPostbackToken(secret: string, token: unknown): Promise<TokenCheck> {
  if (typeof token !== 'string' || !token) return { verdict: 'MISSING', problem: 'no token' };
  if (!secret) return { verdict: 'INVALID', problem: 'the gateway has no postback secret' };
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], requiredClaims: ['exp'], clockTolerance: 30 });
    const claimed = typeof payload.id === 'string' || typeof payload.id === 'number' ? String(payload.id) : typeof payload.uuid === 'string' ? payload.uuid : '';
    return claimed ? { verdict: 'VALID', invoiceId: claimed } : { verdict: 'INVALID', problem: 'the token names no invoice' };
  } catch (err) {
    if (err instanceof errors.JOSEError) return { verdict: 'INVALID', problem: `token refused: ${err.code}` };
    throw err;
  }
}

// Postback authentication: an HS256 JWT signed with the project's postback secret, valid for
// 5 minutes, whose `id` (or `uuid`) names the invoice, with or without the INV- prefix.
import { errors, jwtVerify } from 'jose';
import type { SignatureVerdict } from '../types';
import { bareInvoiceId } from './wire';

export async function verifyPostbackToken(secret: string, token: string | undefined, invoiceId: string): Promise<SignatureVerdict> {
  if (!token) return 'MISSING';
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], requiredClaims: ['exp'], clockTolerance: 30 });
    const claimed = typeof payload.id === 'string' || typeof payload.id === 'number' ? String(payload.id) : typeof payload.uuid === 'string' ? payload.uuid : '';
    return claimed && bareInvoiceId(claimed) === bareInvoiceId(invoiceId) ? 'VALID' : 'INVALID';
  } catch (err) {
    if (err instanceof errors.JOSEError) return 'INVALID';
    throw err;
  }
}

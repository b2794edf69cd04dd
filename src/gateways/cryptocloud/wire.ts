// CryptoCloud's shapes (docs/gateways.md 2.2–2.4) and the one status mapping.
import { z } from 'zod';
import { Decimal } from '../../domain/money';
import type { GatewayPaymentState } from '../types';

/** Amounts as plain decimal text, whatever notation came (JSON numbers below 1e-6 print as 5e-7). */
const num = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = String(v).trim();
  const plain = /^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? new Decimal(text).toFixed() : null;
  if (!plain || plain.length > 40) {
    ctx.addIssue({ code: 'custom', message: 'not a decimal amount' });
    return z.NEVER;
  }
  return plain;
});

export const createdInvoice = z.object({ uuid: z.string(), link: z.string(), status: z.string().optional() }).passthrough();

/** What CryptoCloud answers is read as strictly as a callback: nothing overlong reaches the database. */
export const invoiceInfo = z.object({
  uuid: z.string().regex(/^(INV-)?[A-Za-z0-9]{1,64}$/i),
  status: z.string().max(32),
  order_id: z.string().max(128).nullish(),
  amount_in_fiat: num.nullish(),
  fiat_currency: z.string().max(8).nullish(),
  amount_usd: num.nullish(),
  received: num.nullish(),
  received_usd: num.nullish(),
}).passthrough();
export type InvoiceInfo = z.infer<typeof invoiceInfo>;

/** What a postback must carry to be acted on: the invoice it is about (the token binds it). */
export const postbackBody = z.object({ invoice_id: z.string().regex(/^(INV-)?[A-Za-z0-9]{1,64}$/i) });

/** "INV-XXXXXXXX" and "XXXXXXXX" name the same invoice. */
export const bareInvoiceId = (id: string) => id.replace(/^INV-/i, '').toUpperCase();
export const fullInvoiceId = (id: string) => `INV-${bareInvoiceId(id)}`;

/** What an invoice's status means for the payment (docs/gateways.md 2.3). */
export function toPaymentState(info: InvoiceInfo): GatewayPaymentState {
  const status = info.status as 'created' | 'paid' | 'overpaid' | 'partial' | 'canceled';
  switch (status) {
    case 'paid':
    case 'overpaid': // the invoiced amount is credited; the excess is recorded, not credited
      return info.amount_in_fiat && info.fiat_currency
        ? { status: 'confirmed', transactionId: fullInvoiceId(info.uuid), amount: info.amount_in_fiat, currency: info.fiat_currency }
        : { status: 'unknown' };
    case 'partial': // some crypto arrived, not enough: the payment stays open
      return { status: 'pending' };
    case 'created':
      return { status: 'unpaid' };
    case 'canceled':
      return { status: 'cancelled' };
    default: {
      // Every documented status is handled above (this fails to compile otherwise); one that
      // CryptoCloud adds later is not acted on.
      const unhandled: never = status;
      void unhandled;
      return { status: 'unknown' };
    }
  }
}

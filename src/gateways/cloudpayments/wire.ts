// CloudPayments notification fields (gateways.md 1.3), parsed defensively into GatewayEvents.
// Forms carry everything as strings; JSON may carry numbers; InvoiceId may be either.
import { z } from 'zod';
import type { GatewayEvent } from '../types';
import type { NotificationKind } from './notifications';

const str = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const optStr = str.optional().transform((v) => (v === '' ? undefined : v));
const amount = str.refine((v) => /^\d+(\.\d+)?$/.test(v), 'Amount must be a decimal number');
const bit = z.union([z.string(), z.number(), z.boolean()]).optional().transform((v) => v === true || v === 1 || v === '1' || v === 'true' || v === 'True');

/** `Data`/`JsonData` arrive as a JSON string in forms and as an object in JSON bodies. */
const jsonData = z.unknown().optional().transform((v): Record<string, unknown> | undefined => {
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  if (typeof v === 'string' && v.trim()) {
    try {
      const parsed: unknown = JSON.parse(v);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
});

const base = z.object({
  TransactionId: str,
  Amount: amount,
  Currency: optStr,
  InvoiceId: optStr,
  AccountId: optStr,
  DateTime: optStr,
  TestMode: bit,
  Data: jsonData,
  JsonData: jsonData,
});

const payment = base.extend({
  Status: optStr,
  CardFirstSix: optStr,
  CardLastFour: optStr,
  CardType: optStr,
  OperationType: optStr,
});

const fail = payment.extend({ Reason: optStr, ReasonCode: optStr });
const refund = base.extend({ PaymentTransactionId: str });

export function parseFields(rawBody: Buffer, isForm: boolean): Record<string, unknown> {
  const text = rawBody.toString('utf8');
  if (isForm) return Object.fromEntries(new URLSearchParams(text));
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('notification body is not an object');
  return parsed as Record<string, unknown>;
}

const card = (n: z.infer<typeof payment>) =>
  n.CardFirstSix || n.CardLastFour ? { firstSix: n.CardFirstSix, lastFour: n.CardLastFour, type: n.CardType } : undefined;

/** Our data travels in JsonData and comes back as Data. */
const ours = (n: z.infer<typeof base>) => ({ ...(n.JsonData ?? {}), ...(n.Data ?? {}) });

export function toGatewayEvent(kind: NotificationKind, fields: Record<string, unknown>): GatewayEvent {
  switch (kind) {
    case 'check': {
      const n = payment.parse(fields);
      return { kind: 'check', invoiceId: n.InvoiceId, accountId: n.AccountId, amount: n.Amount, currency: n.Currency, transactionId: n.TransactionId };
    }
    case 'pay':
    case 'confirm': {
      const n = payment.parse(fields);
      // Pay with Status=Authorized is a two-stage hold; Completed (or Confirm) means the money is ours.
      const authorizedOnly = kind === 'pay' && n.Status === 'Authorized';
      return {
        kind: authorizedOnly ? 'authorized' : 'confirmed',
        invoiceId: n.InvoiceId, accountId: n.AccountId, amount: n.Amount, currency: n.Currency,
        transactionId: n.TransactionId, card: card(n), testMode: n.TestMode,
      };
    }
    case 'fail': {
      const n = fail.parse(fields);
      return {
        kind: 'failed', invoiceId: n.InvoiceId, accountId: n.AccountId, amount: n.Amount, currency: n.Currency,
        transactionId: n.TransactionId, reason: n.Reason ?? 'Declined', reasonCode: n.ReasonCode, card: card(n),
      };
    }
    case 'refund': {
      const n = refund.parse(fields);
      const refundId = ours(n).paygateRefundId;
      return {
        kind: 'refunded', invoiceId: n.InvoiceId, paymentTransactionId: n.PaymentTransactionId,
        gatewayRefundId: n.TransactionId, amount: n.Amount, refundId: typeof refundId === 'string' ? refundId : undefined,
      };
    }
    case 'cancel': {
      const n = base.parse(fields);
      return { kind: 'cancelled', invoiceId: n.InvoiceId, transactionId: n.TransactionId, amount: n.Amount };
    }
    case 'recurrent':
    case 'receipt':
      return { kind: 'ignored', note: `${kind} notifications are recorded, not acted on yet` };
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

/** CloudPayments serialises forms the .NET way: lower-case percent escapes, "+" for spaces. */
export function encodeForm(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v)).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()).replace(/%20/g, '+')}`)
    .join('&');
}

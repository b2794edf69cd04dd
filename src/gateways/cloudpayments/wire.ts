// CloudPayments notification fields (docs/gateways.md, CloudPayments "Notifications"), read
// strictly into GatewayEvents. A notification is what its own fields say it is, never what the
// URL it was posted to says. Identifiers, amounts, currencies and codes must have their documented
// shape or the notification is unreadable; free text is cut short, never a reason to fail.
import { z } from 'zod';
import { keep, keepFields, parseJsonObject, type KeptFields, type Keeper } from '../callback-body';
import type { FiscalFacts, GatewayEvent } from '../types';
import type { NotificationKind } from './notifications';
import { statusFromGateway } from '../../domain/subscriptions';

const scalar = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
/** Absent and empty are the same in a form. */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
const shaped = (pattern: RegExp, what: string) => scalar.refine((v) => pattern.test(v), `${what} is malformed`);

const transactionId = shaped(/^\d{1,19}$/, 'a transaction id (a Long)');
const amount = shaped(/^\d{1,13}(\.\d{1,4})?$/, 'an amount');
const currency = scalar.transform((v) => v.toUpperCase()).refine((v) => /^[A-Z]{3}$/.test(v), 'a currency code is malformed');
const externalRef = shaped(/^[^\u0000-\u001f\u007f]{1,128}$/, 'an InvoiceId or AccountId (at most 128 characters)');
const reasonCode = shaped(/^-?\d{1,9}$/, 'a ReasonCode (an Int)');
const freeText = (max: number) => scalar.transform((v) => v.slice(0, max));
/** Absent stays undefined: "the gateway did not say" is not "live". */
const bit = z.union([z.string(), z.number(), z.boolean()]).optional().transform((v) => (v === undefined || v === '' ? undefined : v === true || v === 1 || v === '1' || v === 'true' || v === 'True'));
/** Card facts are shown, never acted on: a malformed one is dropped, not a reason to refuse. */
const cardPart = (pattern: RegExp) => z.unknown().optional().transform((v) => (typeof v === 'string' || typeof v === 'number') && pattern.test(String(v).trim()) ? String(v).trim() : undefined);

/** `Data`/`JsonData` arrive as a JSON string in forms and as an object in JSON bodies. */
const jsonData = z.unknown().optional().transform((v, ctx): Record<string, unknown> | undefined => {
  if (v === undefined || v === '' || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    const parsed = parseJsonObject(v);
    if (parsed.ok) return parsed.fields;
    ctx.addIssue({ code: 'custom', message: `Data: ${parsed.problem}` });
    return z.NEVER;
  }
  return undefined;
});

const common = {
  TransactionId: transactionId,
  Amount: amount,
  Currency: optional(currency),
  InvoiceId: optional(externalRef),
  AccountId: optional(externalRef),
  TestMode: bit,
  Data: jsonData,
  JsonData: jsonData,
  SubscriptionId: optional(externalRef),
};
const card = { CardFirstSix: cardPart(/^\d{6}$/), CardLastFour: cardPart(/^\d{4}$/), CardType: optional(freeText(32)) };
const operation = { OperationType: optional(freeText(32)) };
/** The gateway's fee, as sent: the book judges it (a malformed one never stops a Pay). */
const fee = { TotalFee: optional(freeText(40)) };
const charged = z.object({ ...common, ...card, ...operation, Status: z.enum(['Completed', 'Authorized']) });
/** A card token (secret) and the expiry that goes with it; a malformed one is dropped, never a reason to refuse a Pay. */
const tokenized = { Token: cardPart(/^[\w.:+/=-]{8,256}$/), CardExpDate: cardPart(/^(0[1-9]|1[0-2])\/\d{2}$/) };
const schemas = {
  check: charged,
  pay: charged.extend(fee).extend(tokenized),
  confirm: z.object({ ...common, ...card, ...fee, Status: z.literal('Completed') }),
  fail: z.object({ ...common, ...card, Reason: optional(freeText(200)), ReasonCode: optional(reasonCode) }),
  refund: z.object({ ...common, ...operation, PaymentTransactionId: transactionId }),
  cancel: z.object(common),
};

const count = shaped(/^\d{1,9}$/, 'a count').transform(Number);
const utcDate = scalar.transform((v, ctx) => {
  const d = cpDate(v);
  if (!d) ctx.addIssue({ code: 'custom', message: 'a date is malformed' });
  return d ?? z.NEVER;
});
/** Recurrent (docs/gateways.md 1.3): a subscription's state, no transaction. */
const recurrent = z.object({
  Id: externalRef, AccountId: externalRef, Amount: amount, Currency: currency, Status: freeText(32),
  SuccessfulTransactionsNumber: count, FailedTransactionsNumber: count,
  LastTransactionDate: optional(utcDate), NextTransactionDate: optional(utcDate),
});

/**
 * CloudPayments' dates: "/Date(1635150224630)/" (ms), ISO without a zone, or a notification's
 * "yyyy-MM-dd HH:mm:ss"; all UTC. Null when it is none of these.
 */
export function cpDate(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const v = String(value).trim();
  const ms = /^\/Date\((\d{1,15})\)\/$/.exec(v);
  if (ms) return new Date(Number(ms[1]));
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|[+-]00:?00)?$/.exec(v);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.floor(Number(m[7]) * 1000) : 0));
  return Number.isNaN(d.getTime()) ? null : d;
}

const present = (fields: Record<string, unknown>, name: string) => fields[name] !== undefined && fields[name] !== '' && fields[name] !== null;

/**
 * Which notification a body is, from the fields CloudPayments documents for each kind: Pay alone
 * carries GatewayName, Fail alone Reason/ReasonCode, Refund alone PaymentTransactionId, Check has
 * Status and OperationType, Confirm has Status but no OperationType, Cancel has neither. Null when
 * the fields contradict each other.
 */
export function classifyNotification(fields: Record<string, unknown>): NotificationKind | null {
  const has = (name: string) => present(fields, name);
  if (has('FiscalSign') || has('Ofd')) return 'receipt';
  if (has('Interval') && has('Id') && !has('TransactionId')) return 'recurrent';
  if (has('PaymentTransactionId')) return 'refund';
  // ReasonCode 0 is "Approved": only another code (or a Reason without one) speaks of a decline.
  const declined = has('ReasonCode') ? String(fields.ReasonCode).trim() !== '0' : has('Reason');
  if (has('GatewayName')) return declined ? null : 'pay';
  if (declined) return has('Status') && !has('OperationType') ? null : 'fail';
  if (has('Status')) return has('OperationType') ? 'check' : 'confirm';
  return has('TransactionId') ? 'cancel' : null;
}

export type EventResult = { ok: true; event: GatewayEvent } | { ok: false; problem: string };

const problemOf = (error: z.ZodError) =>
  error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

/** Our data travels in JsonData and comes back as Data. */
const ours = (n: { JsonData?: Record<string, unknown>; Data?: Record<string, unknown> }) => ({ ...(n.JsonData ?? {}), ...(n.Data ?? {}) });
const cardOf = (n: { CardFirstSix?: string; CardLastFour?: string; CardType?: string }) =>
  n.CardFirstSix || n.CardLastFour ? { firstSix: n.CardFirstSix, lastFour: n.CardLastFour, type: n.CardType } : undefined;
const tokenOf = (n: { Token?: string; CardExpDate?: string }) => (n.Token ? { token: n.Token, expiry: n.CardExpDate } : undefined);

export function toGatewayEvent(kind: NotificationKind, fields: Record<string, unknown>): EventResult {
  if (kind === 'recurrent') {
    const r = recurrent.safeParse(fields);
    if (!r.success) return { ok: false, problem: problemOf(r.error) };
    const n = r.data;
    return {
      ok: true,
      event: {
        kind: 'subscription', subscriptionId: n.Id, accountId: n.AccountId, amount: n.Amount, currency: n.Currency, status: statusFromGateway(n.Status), statusText: n.Status,
        successfulCharges: n.SuccessfulTransactionsNumber, failedCharges: n.FailedTransactionsNumber, lastTransactionAt: n.LastTransactionDate ?? null, nextChargeAt: n.NextTransactionDate ?? null,
      },
    };
  }
  if (kind === 'receipt') {
    const fiscal = fiscalDataOf(fields);
    if (!fiscal.externalId) return { ok: false, problem: 'Id: a Receipt notification must name the receipt' };
    if (!fiscal.fiscalSign) return { ok: false, problem: 'FiscalSign: missing' };
    const invoice = typeof fields.InvoiceId === 'string' && fields.InvoiceId.length <= 128 ? fields.InvoiceId : undefined;
    return { ok: true, event: { kind: 'receipt', fiscal, ...(invoice ? { invoiceId: invoice } : {}) } };
  }
  const parsed = schemas[kind].safeParse(fields);
  if (!parsed.success) return { ok: false, problem: problemOf(parsed.error) };
  const n = parsed.data as z.infer<typeof schemas.fail> & Partial<z.infer<typeof schemas.refund>> & { Status?: string; OperationType?: string; TotalFee?: string; Token?: string; CardExpDate?: string };
  // The same notifications report payouts to cards (OperationType=CardPayout): money going out, never a top-up.
  const expected = kind === 'refund' ? 'Refund' : 'Payment';
  if ((kind === 'check' || kind === 'pay' || kind === 'refund') && n.OperationType && n.OperationType !== expected) {
    return { ok: true, event: { kind: 'ignored', note: `an OperationType=${n.OperationType} notification is not ours to act on` } };
  }
  const facts = { invoiceId: n.InvoiceId, accountId: n.AccountId, amount: n.Amount, currency: n.Currency, transactionId: n.TransactionId, ...(n.SubscriptionId ? { subscriptionId: n.SubscriptionId } : {}) };
  switch (kind) {
    case 'check':
      return { ok: true, event: { kind: 'check', ...facts, testMode: n.TestMode } };
    case 'pay':
    case 'confirm':
      // Pay with Status=Authorized is a two-stage hold; Completed (or Confirm) means the money is ours.
      return { ok: true, event: { kind: n.Status === 'Authorized' ? 'authorized' : 'confirmed', ...facts, card: cardOf(n), testMode: n.TestMode, ...(n.TotalFee !== undefined ? { fee: n.TotalFee } : {}), ...(n.Token ? { token: tokenOf(n) } : {}) } };
    case 'fail':
      return { ok: true, event: { kind: 'failed', ...facts, reason: n.Reason ?? 'Declined', reasonCode: n.ReasonCode, card: cardOf(n) } };
    case 'refund': {
      const refundId = ours(n).paygateRefundId;
      return {
        ok: true,
        event: {
          kind: 'refunded', invoiceId: n.InvoiceId, paymentTransactionId: n.PaymentTransactionId!, gatewayRefundId: n.TransactionId,
          amount: n.Amount, refundId: typeof refundId === 'string' && refundId.length <= 64 ? refundId : undefined,
        },
      };
    }
    case 'cancel':
      return { ok: true, event: { kind: 'cancelled', invoiceId: n.InvoiceId, transactionId: n.TransactionId, amount: n.Amount } };
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

/** Our own keys in Data/JsonData, nothing else of it. */
const keepOurData: Keeper = (v) => {
  const parsed = typeof v === 'string' ? parseJsonObject(v) : null;
  const data = parsed ? (parsed.ok ? parsed.fields : null) : v;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const kept = keepFields(data as Record<string, unknown>, { paygatePaymentId: keep.id, paygateRefundId: keep.id });
  return Object.keys(kept).length ? (kept as Record<string, string>) : undefined;
};

/**
 * What is stored of a notification: the fields Paygate acts on or shows. Never Token (in any
 * spelling), Name, Email, IP fields, CardExpDate, Description or anything else not listed here.
 */
const KEPT: Readonly<Record<string, Keeper>> = {
  TransactionId: keep.id, PaymentTransactionId: keep.id, InvoiceId: keep.id, AccountId: keep.id, SubscriptionId: keep.id, Id: keep.id,
  Amount: keep.amount, Currency: keep.code, PaymentAmount: keep.amount, PaymentCurrency: keep.code, TotalFee: keep.amount,
  Status: keep.code, StatusCode: keep.code, OperationType: keep.code, GatewayName: keep.code, Reason: keep.text(200), ReasonCode: keep.code,
  CardFirstSix: keep.digits(6), CardLastFour: keep.digits(4), CardType: keep.code, TestMode: keep.code, DateTime: keep.dateTime,
  Interval: keep.code, Period: keep.code, StartDate: keep.dateTime, NextTransactionDate: keep.dateTime,
  SuccessfulTransactionsNumber: keep.code, FailedTransactionsNumber: keep.code, LastTransactionDate: keep.dateTime,
  DocumentNumber: keep.id, FiscalNumber: keep.id, FiscalSign: keep.id, Type: keep.code,
  Data: keepOurData, JsonData: keepOurData,
};

export const keptFields = (fields: Record<string, unknown>): KeptFields => keepFields(fields, KEPT);

/** CloudPayments serialises forms the .NET way: lower-case percent escapes, "+" for spaces. */
export function encodeForm(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v)).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()).replace(/%20/g, '+')}`)
    .join('&');
}

/** The fiscal data of a Receipt notification or a kkt/receipt/get model; malformed values are dropped. */
export function fiscalDataOf(fields: Record<string, unknown>): FiscalFacts {
  const pick = (name: string, max: number, pattern = /^[^\u0000-\u001f\u007f]+$/) => {
    const v = fields[name];
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    const t = String(v).trim();
    return t && t.length <= max && pattern.test(t) ? t : undefined;
  };
  const url = (name: string) => {
    const v = pick(name, 1000);
    return v && /^https?:\/\//.test(v) ? v : undefined;
  };
  const out: FiscalFacts = {
    externalId: pick('Id', 64),
    fiscalNumber: pick('FiscalNumber', 64),
    fiscalSign: pick('FiscalSign', 64),
    documentNumber: pick('DocumentNumber', 64),
    url: url('Url') ?? url('OfdReceiptUrl'),
    qrCodeUrl: url('QrCodeUrl'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as FiscalFacts;
}

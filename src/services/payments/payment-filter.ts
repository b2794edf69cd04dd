// The back office's payment filter, checked and normalized before any SQL is built
// (list-payments.ts): what a caller may ask for, and the keyset cursor of a sorted page. No I/O.
import { badInput } from '../../domain/errors';
import { decimalFromText, type Decimal } from '../../domain/money';
import { PAYMENT_STATUSES } from '../../domain/payment-state';
import type { GatewayType, PaymentStatus } from '../../generated/prisma/enums';
import { externalId, text } from '../common/validate';

export const PERIODS = ['TODAY', 'YESTERDAY', 'THIS_WEEK', 'LAST_WEEK', 'THIS_MONTH', 'LAST_MONTH', 'THIS_QUARTER', 'THIS_YEAR'] as const;
export type Period = (typeof PERIODS)[number];

export const ORDER_FIELDS = ['CREATED_AT', 'PAID_AT', 'AMOUNT', 'STATUS'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];
export type Direction = 'ASC' | 'DESC';

export const MAX_FILTER_IDS = 500;
const MAX_SEARCH = 128;

export interface PaymentFilterInput {
  ids?: string[] | null;
  clientId?: string | null;
  clubId?: string | null;
  gatewayId?: string | null;
  gatewayType?: GatewayType | null;
  status?: PaymentStatus[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  period?: Period | null;
  paidFrom?: Date | null;
  paidTo?: Date | null;
  amountFrom?: string | null;
  amountTo?: string | null;
  currency?: string | null;
  number?: string | null;
  text?: string | null;
  restrictRefund?: boolean | null;
  hasShortfall?: boolean | null;
  deleted?: boolean | null;
  /** A saved filter of the key's organization and environment, ANDed with the rest (effective-filter.ts). */
  savedFilterId?: string | null;
}

/** One filter, every field checked, absent ones undefined (filter-and.ts makes the query builder's PaymentQuery of it). */
export interface PaymentFilter {
  ids?: string[];
  clientId?: string;
  clubId?: string;
  gatewayId?: string;
  gatewayType?: GatewayType;
  status?: PaymentStatus[];
  createdFrom?: Date;
  createdTo?: Date;
  period?: Period;
  paidFrom?: Date;
  paidTo?: Date;
  amountFrom?: Decimal;
  amountTo?: Decimal;
  currency?: string;
  /** A LIKE pattern (escaped, `*` → `%`) or an exact value. */
  number?: { like: string } | { exact: string };
  /** A LIKE pattern for "contains". */
  text?: string;
  restrictRefund?: boolean;
  hasShortfall?: boolean;
  /** true: only deleted payments; false or absent: none (absent leaves it to a filter ANDed with this one). */
  deleted?: boolean;
  savedFilterId?: string;
}

const defined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Ids Paygate made (payments, gateways, saved filters) are plain text: what else could match nothing may still not reach SQL (a NUL cannot). */
function plainId(value: string | null | undefined, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw badInput(`${field} contains control characters`, field);
  return value;
}
const crmId = (value: string | null | undefined, field: string) => (value === undefined || value === null ? undefined : externalId(value, field));

/** `%`, `_` and `\` are matched literally; only `*` is a wildcard. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function amount(value: string | null | undefined, field: string): Decimal | undefined {
  if (value === undefined || value === null) return undefined;
  const d = decimalFromText(value);
  if (!d || d.isNegative()) throw badInput(`${field} must be a non-negative decimal amount`, field);
  return d;
}

function range<T extends Date | Decimal>(from: T | undefined, to: T | undefined, fromField: string, toField: string): void {
  if (from === undefined || to === undefined) return;
  const after = from instanceof Date ? from.getTime() > (to as Date).getTime() : (from as Decimal).greaterThan(to as Decimal);
  if (after) throw badInput(`${fromField} must not be after ${toField}`, fromField);
}

export function checkPaymentFilter(input: PaymentFilterInput | null | undefined): PaymentFilter {
  const f = input ?? {};
  const ids = defined(f.ids);
  if (ids && ids.length > MAX_FILTER_IDS) throw badInput(`ids may name at most ${MAX_FILTER_IDS} payments`, 'ids');
  ids?.forEach((id) => plainId(id, 'ids'));
  const status = defined(f.status);
  if (status && !status.length) throw badInput('status must name at least one status (or be left out)', 'status');
  const period = defined(f.period);
  if (period && (f.createdFrom || f.createdTo)) throw badInput('give period or createdFrom/createdTo, not both', 'period');
  const out: PaymentFilter = {
    ids: ids ? [...new Set(ids)] : undefined,
    clientId: crmId(f.clientId, 'clientId'),
    clubId: crmId(f.clubId, 'clubId'),
    gatewayId: plainId(f.gatewayId, 'gatewayId'),
    gatewayType: defined(f.gatewayType),
    status: status ? [...new Set(status)] : undefined,
    createdFrom: defined(f.createdFrom),
    createdTo: defined(f.createdTo),
    period,
    paidFrom: defined(f.paidFrom),
    paidTo: defined(f.paidTo),
    amountFrom: amount(f.amountFrom, 'amountFrom'),
    amountTo: amount(f.amountTo, 'amountTo'),
    currency: f.currency ? f.currency.trim().toUpperCase() : undefined,
    restrictRefund: defined(f.restrictRefund),
    hasShortfall: defined(f.hasShortfall),
    deleted: defined(f.deleted),
    savedFilterId: plainId(f.savedFilterId, 'savedFilterId'),
  };
  if (out.currency !== undefined && !/^[A-Z]{3}$/.test(out.currency)) throw badInput('currency must be an ISO 4217 code', 'currency');
  range(out.createdFrom, out.createdTo, 'createdFrom', 'createdTo');
  range(out.paidFrom, out.paidTo, 'paidFrom', 'paidTo');
  range(out.amountFrom, out.amountTo, 'amountFrom', 'amountTo');
  if (defined(f.number) !== undefined) {
    const n = text(f.number!, 'number', MAX_SEARCH);
    out.number = n.includes('*') ? { like: escapeLike(n).replace(/\*+/g, '%') } : { exact: n };
  }
  if (defined(f.text) !== undefined) out.text = `%${escapeLike(text(f.text!, 'text', MAX_SEARCH))}%`;
  return out;
}

/** Where a sorted page ends: the sort value of its last payment and its id (ties are broken by id). */
export interface Cursor {
  field: OrderField;
  value: string | null;
  id: string;
}

/** Exactly what Date#toISOString writes (what this API puts in its cursors), nothing looser. */
const isoInstant = (v: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

export function encodePageCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.field, c.value, c.id]), 'utf8').toString('base64url');
}

export function decodePageCursor(cursor: string | null | undefined, field: OrderField): Cursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const refuse = () => badInput('after is not a cursor this API returned for this order', 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw refuse();
  const [f, value, id] = parsed as unknown[];
  if (f !== field || typeof id !== 'string' || !/^pay_[0-9a-z_]{1,60}$/.test(id)) throw refuse();
  if (value !== null && typeof value !== 'string') throw refuse();
  const ok = value === null
    ? field === 'PAID_AT'
    : field === 'AMOUNT' ? /^\d{1,16}(\.\d{1,4})?$/.test(value)
      : field === 'STATUS' ? (PAYMENT_STATUSES as readonly string[]).includes(value)
        : isoInstant(value);
  if (!ok) throw refuse();
  return { field, value, id };
}

// Input checks shared by services. Each failure is a BAD_USER_INPUT naming the field.
import { badInput } from '../../domain/errors';

/** CRM ids (clubs, clients): what CRMs use in practice, nothing that needs escaping anywhere. */
const EXTERNAL_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export function externalId(value: string, field: string): string {
  if (!EXTERNAL_ID.test(value)) {
    throw badInput(`${field} must be 1-128 characters of letters, digits and _ . : @ -`, field);
  }
  return value;
}

export function text(value: string, field: string, max: number, { min = 1 } = {}): string {
  const t = value.trim();
  if (t.length < min) throw badInput(`${field} must not be empty`, field);
  if (t.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(t)) throw badInput(`${field} contains control characters`, field);
  // Half an emoji: Postgres refuses it in JSON (saved filters, metadata), so it is refused here, typed.
  if (LONE_SURROGATE.test(t)) throw badInput(`${field} is not well-formed text (a lone UTF-16 surrogate)`, field);
  return t;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text people read as written (staff comments): besides `text`'s checks, no C1 controls, no
 * bidirectional overrides, isolates or marks, no zero-width spaces (U+200B, U+2060-2064, U+FEFF),
 * no line or paragraph separators: each can make the text show other than what it holds. The
 * zero-width (non-)joiners stay: emoji sequences and several scripts need them.
 */
export function plainText(value: string, field: string, max: number): string {
  const t = text(value, field, max);
  if (/[\u0080-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2028\u2029\ufeff]/.test(t)) {
    throw badInput(`${field} contains invisible or direction-changing characters`, field);
  }
  return t;
}

export function optionalText(value: string | null | undefined, field: string, max: number): string | null | undefined {
  if (value === undefined || value === null) return value;
  const t = value.trim();
  return t === '' ? null : text(t, field, max);
}

export function email(value: string | null | undefined, field = 'email'): string | null | undefined {
  const t = optionalText(value, field, 254);
  if (t && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) throw badInput(`${field} is not an e-mail address`, field);
  return t;
}

export function phone(value: string | null | undefined, field = 'phone'): string | null | undefined {
  const t = optionalText(value, field, 32);
  if (t && !/^\+?[0-9][0-9 ()-]{4,30}$/.test(t)) throw badInput(`${field} is not a phone number`, field);
  return t;
}

export function httpsOrHttpUrl(value: string | null | undefined, field: string): string | null | undefined {
  const t = optionalText(value, field, 2048);
  if (!t) return t;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw badInput(`${field} must be an absolute URL`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(`${field} must be an http(s) URL`, field);
  return url.toString();
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** A payment's history and refunds: short lists, asked for whole, but never unbounded. */
export const ITEM_LIST = { def: 100, max: 500 } as const;
/** The largest page any field allows. */
export const LARGEST_PAGE_SIZE = ITEM_LIST.max;

export function pageSize(first: number | null | undefined, { def = DEFAULT_PAGE_SIZE, max = MAX_PAGE_SIZE } = {}): number {
  if (first === undefined || first === null) return def;
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput(`first must be between 1 and ${max}`, 'first');
  return first;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]{2,4}_[0-9a-z]{20,40}$/.test(id)) throw badInput('after is not a cursor this API returned', 'after');
  return id;
}

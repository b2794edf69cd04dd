// Money is decimal end to end: NUMERIC in Postgres, decimal.js here, decimal strings on the wire.
import DecimalJs from 'decimal.js';
import { badInput } from './errors';

/** Decimal arithmetic with enough precision that nothing we store is ever rounded. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

/**
 * Minor-unit digits (ISO 4217) of the currencies our gateways take (docs/gateways.md 1.5, 2.2).
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  RUB: 2, USD: 2, EUR: 2, GBP: 2, UAH: 2, BYN: 2, KZT: 2, AZN: 2, CHF: 2, CZK: 2, CAD: 2, PLN: 2,
  SEK: 2, TRY: 2, CNY: 2, INR: 2, BRL: 2, ZAR: 2, UZS: 2, BGN: 2, RON: 2, AUD: 2, HKD: 2, GEL: 2,
  KGS: 2, AMD: 2, AED: 2, IDR: 2, PHP: 2, SGD: 2, THB: 2, MYR: 2, JPY: 0, VND: 0,
};

export const DEFAULT_CURRENCY = 'RUB';

/** No single amount may reach a trillion: anything larger is a typo or an attack. */
export const MAX_AMOUNT = new Decimal('999999999999.99');

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

export function minorUnits(currency: string, field = 'currency'): number {
  const digits = MINOR_UNITS[currency];
  if (digits === undefined) throw badInput(`unsupported currency ${JSON.stringify(currency)}`, field);
  return digits;
}

/** Upper-cases and checks a currency code; undefined gives the default. `field` names it in a refusal. */
export function parseCurrency(input: string | null | undefined, field = 'currency'): string {
  if (input === undefined || input === null) return DEFAULT_CURRENCY;
  const code = input.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw badInput(`${field} must be a three-letter ISO 4217 code`, field);
  minorUnits(code, field);
  return code;
}

/** Reads decimal text ("500", "500.00", "-1.5"); null when it is not plain decimal notation. */
export function decimalFromText(text: string): Decimal | null {
  const t = text.trim();
  if (!DECIMAL_TEXT.test(t) || t.length > 40) return null;
  return new Decimal(t);
}

/**
 * Validates an amount for a currency: positive (or zero when allowed), no more digits than the
 * currency's minor unit, below MAX_AMOUNT.
 */
export function parseAmount(
  value: Decimal | string,
  currency: string,
  { field = 'amount', allowZero = false }: { field?: string; allowZero?: boolean } = {},
): Decimal {
  const amount = typeof value === 'string' ? decimalFromText(value) : value;
  if (!amount || !amount.isFinite()) throw badInput(`${field} must be a decimal number`, field);
  if (amount.isNegative() || (!allowZero && amount.isZero())) {
    throw badInput(`${field} must be ${allowZero ? 'zero or more' : 'greater than zero'}`, field);
  }
  const digits = minorUnits(currency);
  if (amount.decimalPlaces() > digits) {
    throw badInput(`${field} has more than ${digits} decimal places, which ${currency} does not allow`, field);
  }
  if (amount.greaterThan(MAX_AMOUNT)) throw badInput(`${field} is too large`, field);
  return amount;
}

/** "500.00" for RUB, "500" for JPY. Accepts anything decimal.js or Prisma.Decimal can print. */
export function formatAmount(value: { toString(): string } | string, currency: string): string {
  return new Decimal(value.toString()).toFixed(minorUnits(currency));
}

/**
 * For gateway APIs that take amounts as JSON numbers. Our amounts have at
 * most 2 decimals and 14 significant digits, and every decimal of up to 15 significant digits
 * survives the trip through a double exactly as text, so this is the one place a number is safe.
 */
export function exactJsonNumber(amount: string): number {
  const n = Number(amount);
  const canonical = amount.includes('.') ? amount.replace(/0+$/, '').replace(/\.$/, '') : amount.replace(/^0+(?=\d)/, '');
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(amount) || String(n) !== canonical) {
    throw new Error(`amount ${amount} cannot be sent as an exact JSON number`);
  }
  return n;
}

/** A signed amount (an adjustment: + credit, − debit), never zero, within the currency's decimals. */
export function parseSignedAmount(value: string, currency: string, field = 'amount'): Decimal {
  const t = value.trim();
  const negative = t.startsWith('-');
  const size = parseAmount(negative ? t.slice(1) : t.replace(/^\+/, ''), currency, { field });
  return negative ? size.negated() : size;
}

/** What is left of an amount once the gateway's fee is taken (net). */
export const lessFee = (amount: { toString(): string }, fee: { toString(): string }) => new Decimal(amount.toString()).minus(fee.toString());

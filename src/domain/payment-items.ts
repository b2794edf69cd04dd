// What a payment is for: its lines, as a 54-FZ receipt will need them (docs/gateways.md 1.3,
// docs/api.md "Back office"). Checked when a top-up is initiated, so a receipt can later be made
// from them as they are: the lines add up to the amount exactly, names fit a receipt, numbers
// (each line's quantity × price too) have no more decimals than a receipt takes.
import { badInput } from './errors';
import { Decimal, decimalFromText, MAX_AMOUNT, minorUnits } from './money';

export interface PaymentItemInput {
  name: string;
  quantity: string;
  price: string;
  vat?: number | null;
}

/** A checked line: decimals as canonical strings, as stored and shown. */
export interface PaymentItem {
  name: string;
  quantity: string;
  price: string;
  /** The CloudKassir VAT code (0, 10, 20, 110, 120, …); null: without VAT. */
  vat: number | null;
}

export const MAX_ITEMS = 100;
export const MAX_ITEM_NAME = 128;
export const QUANTITY_DECIMALS = 3;
export const DEFAULT_ITEM_NAME = 'Balance top-up';

/**
 * The VAT codes CloudKassir takes: rates (0, 5, 7, 10, 20, 22), the calculated rates (105, 107,
 * 110, 120, 122) and Kazakhstan's 12. The older 18/118 are gone since 2019 and are refused.
 */
export const VAT_CODES: readonly number[] = [0, 5, 7, 10, 12, 20, 22, 105, 107, 110, 120, 122];

/**
 * Control characters, line and paragraph separators, and format characters (\p{Cf}: the
 * bidirectional overrides that make a printed name read otherwise, zero-width spaces and joiners
 * that print as nothing).
 */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
/** A lone UTF-16 surrogate: not text at all (nor storable in Postgres' jsonb). */
const LONE_SURROGATE = /\p{Cs}/u;

/** The line a top-up has when the caller names none. */
export const defaultItems = (amount: Decimal, currency: string): PaymentItem[] => [
  { name: DEFAULT_ITEM_NAME, quantity: '1', price: amount.toFixed(minorUnits(currency)), vat: null },
];

/**
 * Checks the lines of a payment of `amount` in `currency`; absent gives the default line. Each
 * refusal is a BAD_USER_INPUT naming the line (`items[2].price`).
 */
export function checkItems(input: readonly PaymentItemInput[] | null | undefined, amount: Decimal, currency: string): PaymentItem[] {
  if (input === undefined || input === null) return defaultItems(amount, currency);
  if (input.length === 0) throw badInput('items must list at least one line (leave it out for one "Balance top-up" line)', 'items');
  if (input.length > MAX_ITEMS) throw badInput(`items may list at most ${MAX_ITEMS} lines`, 'items');
  const digits = minorUnits(currency);
  const items = input.map((item, i) => checkItem(item, `items[${i}]`, digits, currency));
  const total = sumOf(items);
  if (!total.equals(amount)) {
    throw badInput(`items add up to ${total.toFixed()} (quantity × price of each line), not the amount ${amount.toFixed(digits)}`, 'items');
  }
  return items;
}

function checkItem(item: PaymentItemInput, field: string, digits: number, currency: string): PaymentItem {
  const name = (item.name ?? '').trim();
  if (!name) throw badInput(`${field}.name must not be empty`, `${field}.name`);
  if ([...name].length > MAX_ITEM_NAME) throw badInput(`${field}.name must be at most ${MAX_ITEM_NAME} characters`, `${field}.name`);
  if (LONE_SURROGATE.test(name)) throw badInput(`${field}.name is not well-formed text (it holds half of a UTF-16 surrogate pair)`, `${field}.name`);
  if (CONTROL.test(name)) throw badInput(`${field}.name contains control characters or invisible format characters (such as U+200B)`, `${field}.name`);
  const quantity = positive(item.quantity, `${field}.quantity`, QUANTITY_DECIMALS, 'a quantity');
  const price = positive(item.price, `${field}.price`, digits, currency);
  const vat = item.vat ?? null;
  if (vat !== null && !VAT_CODES.includes(vat)) {
    throw badInput(`${field}.vat must be one of ${VAT_CODES.join(', ')}, or null for no VAT`, `${field}.vat`);
  }
  // A receipt prints each line's amount in the currency's minor units: it must be exact in them.
  const lineAmount = quantity.times(price);
  if (lineAmount.decimalPlaces() > digits) {
    throw badInput(`${field}: quantity × price is ${lineAmount.toFixed()}, more decimal places than ${currency} has (${digits}); a receipt line cannot show it`, field);
  }
  return { name, quantity: quantity.toFixed(), price: price.toFixed(digits), vat };
}

function positive(value: string, field: string, digits: number, what: string): Decimal {
  const d = decimalFromText(String(value ?? ''));
  if (!d) throw badInput(`${field} must be a decimal number`, field);
  if (d.lte(0)) throw badInput(`${field} must be greater than zero`, field);
  if (d.decimalPlaces() > digits) throw badInput(`${field} has more than ${digits} decimal places, which ${what} does not allow`, field);
  if (d.gt(MAX_AMOUNT)) throw badInput(`${field} is too large`, field);
  return d;
}

/** The default line, and only it: a request that spells it out is the request that leaves it out. */
export const isDefault = (items: readonly PaymentItem[], amount: Decimal, currency: string) =>
  JSON.stringify(items) === JSON.stringify(defaultItems(amount, currency));

/**
 * The lines a caller named, as stored; null for the default line, which is not stored but follows
 * the amount (a payment from before items existed, or one stored with the default line spelled
 * out before it was left out: the same line, named the same).
 */
function explicitItems(stored: unknown): PaymentItem[] | null {
  if (!Array.isArray(stored) || !stored.length) return null;
  const items = stored as PaymentItem[];
  const [only] = items;
  return items.length === 1 && only.name === DEFAULT_ITEM_NAME && only.quantity === '1' && only.vat === null ? null : items;
}

/** Stored lines as the API shows them: the default line is the payment's amount as it is now. */
export function storedItems(stored: unknown, amount: { toString(): string }, currency: string): PaymentItem[] {
  return explicitItems(stored) ?? defaultItems(new Decimal(amount.toString()), currency);
}

/** What the lines a caller named add up to; null for the default line (it is whatever the amount is). */
export function itemsTotal(stored: unknown): Decimal | null {
  const items = explicitItems(stored);
  return items && sumOf(items);
}

const sumOf = (items: readonly PaymentItem[]) => items.reduce((sum, item) => sum.plus(new Decimal(item.quantity).times(item.price)), new Decimal(0));

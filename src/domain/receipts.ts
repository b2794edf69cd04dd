// 54-FZ receipts (CloudKassir kkt/receipt, docs/gateways.md 1.7): the organization's fiscal
// settings, checked, and the CustomerReceipt of a money movement, built from the payment's lines
// and checked against CloudPayments' conditions for a receipt (at least one line, names of at most
// 128 characters, at most 2 decimals, lines adding up to a total above zero).
import { badInput } from './errors';
import { Decimal, decimalFromText } from './money';
import { DEFAULT_ITEM_NAME, MAX_ITEM_NAME, VAT_CODES, type PaymentItem } from './payment-items';

export type ReceiptType = 'INCOME' | 'INCOME_RETURN';

export interface FiscalSettings {
  inn: string;
  /** 0 ОСН, 1 УСН доход, 2 УСН доход−расход, 3 ЕНВД, 4 ЕСХН, 5 патент. */
  taxationSystem: number;
  /** The VAT code of lines that name none; null: without VAT. */
  defaultVat: number | null;
  receiptsEnabled: boolean;
}

export interface FiscalInput {
  inn: string;
  taxationSystem: number;
  defaultVat?: number | null;
  receiptsEnabled: boolean;
}

/** CloudKassir calculation methods (признак способа расчёта) we use. */
export const METHOD_ADVANCE = 3;
export const METHOD_FULL_PAYMENT = 4;
/** Calculation object 10: a payment (an advance taken), 4: a service. */
export const OBJECT_PAYMENT = 10;
export const OBJECT_SERVICE = 4;

const INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12A = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12B = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const check = (digits: number[], weights: number[]) => (weights.reduce((s, w, i) => s + w * digits[i], 0) % 11) % 10;

/**
 * An INN: 10 digits (a company) or 12 (an individual entrepreneur) with the tax service's check
 * digits. `0000000000` passes the checksum (all zeros): it is the sandbox's refusing cash register.
 */
export function isValidInn(inn: string): boolean {
  if (!/^(\d{10}|\d{12})$/.test(inn)) return false;
  const d = [...inn].map(Number);
  if (d.length === 10) return check(d, INN10) === d[9];
  return check(d, INN12A) === d[10] && check(d, INN12B) === d[11];
}

export function checkVat(vat: number | null | undefined, field: string): number | null {
  if (vat === undefined || vat === null) return null;
  if (!VAT_CODES.includes(vat)) throw badInput(`${field} must be one of ${VAT_CODES.join(', ')}, or null for no VAT`, field);
  return vat;
}

export function checkFiscal(input: FiscalInput): FiscalSettings {
  const inn = String(input.inn ?? '').trim();
  if (!isValidInn(inn)) throw badInput('fiscal.inn must be an INN: 10 or 12 digits with valid check digits', 'fiscal.inn');
  if (!Number.isInteger(input.taxationSystem) || input.taxationSystem < 0 || input.taxationSystem > 5) {
    throw badInput('fiscal.taxationSystem must be 0..5 (0 ОСН, 1 УСН доход, 2 УСН доход−расход, 3 ЕНВД, 4 ЕСХН, 5 патент)', 'fiscal.taxationSystem');
  }
  return { inn, taxationSystem: input.taxationSystem, defaultVat: checkVat(input.defaultVat, 'fiscal.defaultVat'), receiptsEnabled: input.receiptsEnabled === true };
}

export interface ReceiptLine {
  label: string;
  price: string;
  quantity: string;
  amount: string;
  vat: number | null;
  method: number;
  object: number;
}

export interface CustomerReceipt {
  Items: ReceiptLine[];
  taxationSystem: number;
  email?: string;
  phone?: string;
  amounts: { electronic?: string; advancePayment?: string };
}

export interface ReceiptContact {
  email?: string | null;
  phone?: string | null;
}

/**
 * Whether a movement gets a receipt. A MANUAL payment (cash, bank transfer recorded by staff) has
 * no gateway and so no cash register of ours: the club's own register prints it.
 */
export function wantsReceipt(fiscal: Pick<FiscalSettings, 'receiptsEnabled'> & { inn: string | null }, gatewayType: string | null): boolean {
  return fiscal.receiptsEnabled && fiscal.inn !== null && gatewayType !== null && gatewayType !== 'MANUAL';
}

const money = (v: Decimal) => v.toFixed(2);

/** 54-FZ receipts are in rubles: another currency's movement gets a FAILED receipt saying so. */
export function currencyProblem(currency: string): string | null {
  return currency === 'RUB' ? null : `a 54-FZ receipt is in rubles and this movement is in ${currency}: fiscalise it in the club's own register`;
}

/**
 * A receipt, or why none can be built. Never throws: a money movement (a credit, a refund's
 * booking, a spend) must not fail because its receipt cannot be made; the receipt is FAILED instead.
 */
export function buildReceipt(currency: string, build: () => CustomerReceipt): { receipt: CustomerReceipt } | { problem: string } {
  const wrong = currencyProblem(currency);
  if (wrong) return { problem: wrong };
  try {
    return { receipt: build() };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The receipt of money taken for the balance (a top-up) or given back (a refund): an advance
 * (method 3, object 10: the service is delivered later, when the balance is spent), paid
 * electronically. Lines are the payment's; a refund of part of a payment is one line for the
 * refunded amount (which lines it returns is not known).
 */
export function advanceReceipt(o: { items: readonly PaymentItem[]; amount: Decimal; fiscal: FiscalSettings; contact: ReceiptContact }): CustomerReceipt {
  // The lines only when they are the amount (a partial capture or refund is not known line by line).
  const linesTotal = o.items.reduce((sum, i) => sum.plus(new Decimal(i.price).times(i.quantity)), new Decimal(0));
  const lines = o.items.length && linesTotal.equals(o.amount)
    ? o.items.map((i) => line(i.name, new Decimal(i.price), new Decimal(i.quantity), i.vat ?? o.fiscal.defaultVat, METHOD_ADVANCE, OBJECT_PAYMENT))
    : [line(o.items.length === 1 ? o.items[0].name : DEFAULT_ITEM_NAME, o.amount, new Decimal(1), o.fiscal.defaultVat, METHOD_ADVANCE, OBJECT_PAYMENT)];
  return finish(lines, o.fiscal, o.contact, { electronic: money(o.amount) });
}

/**
 * The settlement receipt of a balance spend with items: the service is delivered now, paid with
 * the advance already taken (method 4 full payment, object 4 service, amounts.advancePayment).
 */
export function settlementReceipt(o: { items: readonly PaymentItem[]; amount: Decimal; fiscal: FiscalSettings; contact: ReceiptContact }): CustomerReceipt {
  const lines = o.items.map((i) => line(i.name, new Decimal(i.price), new Decimal(i.quantity), i.vat ?? o.fiscal.defaultVat, METHOD_FULL_PAYMENT, OBJECT_SERVICE));
  return finish(lines, o.fiscal, o.contact, { advancePayment: money(o.amount) });
}

function line(label: string, price: Decimal, quantity: Decimal, vat: number | null, method: number, object: number): ReceiptLine {
  return { label: label.slice(0, MAX_ITEM_NAME), price: money(price), quantity: quantity.toFixed(), amount: money(price.times(quantity)), vat, method, object };
}

function finish(lines: ReceiptLine[], fiscal: FiscalSettings, contact: ReceiptContact, amounts: CustomerReceipt['amounts']): CustomerReceipt {
  const receipt: CustomerReceipt = {
    Items: lines,
    taxationSystem: fiscal.taxationSystem,
    ...(contact.email ? { email: contact.email } : contact.phone ? { phone: contact.phone } : {}),
    amounts,
  };
  const problem = receiptProblem(receipt);
  if (problem) throw badInput(`receipt: ${problem}`, 'items');
  return receipt;
}

const twoDecimals = (v: string) => {
  const d = decimalFromText(v);
  return d !== null && d.decimalPlaces() <= 2;
};

/** Null when CloudKassir's conditions hold; else what breaks them. */
export function receiptProblem(r: CustomerReceipt): string | null {
  if (!r.Items.length) return 'a receipt needs at least one line';
  let total = new Decimal(0);
  for (const [i, it] of r.Items.entries()) {
    if (!it.label.trim()) return `line ${i + 1} has no name`;
    if ([...it.label].length > MAX_ITEM_NAME) return `line ${i + 1}'s name is longer than ${MAX_ITEM_NAME} characters`;
    if (!twoDecimals(it.price) || !twoDecimals(it.amount)) return `line ${i + 1} has more than 2 decimals`;
    const price = new Decimal(it.price);
    const amount = new Decimal(it.amount);
    if (price.isNegative() || amount.isNegative()) return `line ${i + 1} is negative`;
    if (!price.times(new Decimal(it.quantity)).equals(amount)) return `line ${i + 1}: price × quantity is not its amount`;
    if (it.vat !== null && !VAT_CODES.includes(it.vat)) return `line ${i + 1} has an unknown VAT code`;
    total = total.plus(amount);
  }
  if (!total.gt(0)) return 'the total must be above zero';
  const paid = Object.values(r.amounts).reduce((s: Decimal, v) => (v === undefined ? s : s.plus(new Decimal(v))), new Decimal(0));
  if (!paid.equals(total)) return `the lines add up to ${total.toFixed(2)}, the amounts to ${paid.toFixed(2)}`;
  return null;
}

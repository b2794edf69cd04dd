// A payment's lines, checked as 54-FZ receipts will need them: Σ quantity × price = amount
// exactly (decimal arithmetic), names 1..128 characters without control characters, prices in
// the currency's minor units, quantities of at most 3 decimals, known VAT codes, at most 100 lines.
import { AppError } from '../../src/domain/errors';
import { Decimal } from '../../src/domain/money';
import { checkItems, defaultItems, isDefault, itemsTotal, MAX_ITEMS, storedItems } from '../../src/domain/payment-items';

const d = (v: string) => new Decimal(v);
const line = (over: Partial<{ name: string; quantity: string; price: string; vat: number | null }> = {}) => ({ name: 'Membership', quantity: '1', price: '500', ...over });

function refusal(fn: () => unknown): { message: string; field?: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return { message: (err as AppError).message, field: (err as AppError).details?.field };
  }
  throw new Error('not refused');
}

describe('payment items', () => {
  it('absent: one "Balance top-up" line of the whole amount, without VAT', () => {
    expect(checkItems(undefined, d('500'), 'RUB')).toEqual([{ name: 'Balance top-up', quantity: '1', price: '500.00', vat: null }]);
    expect(checkItems(null, d('1500'), 'JPY')).toEqual([{ name: 'Balance top-up', quantity: '1', price: '1500', vat: null }]);
  });

  it('adds the lines up exactly, in decimals (no float rounding)', () => {
    // 0.1 × 3 is 0.30000000000000004 in floats
    expect(checkItems([line({ quantity: '3', price: '0.1' })], d('0.3'), 'RUB')).toEqual([{ name: 'Membership', quantity: '3', price: '0.10', vat: null }]);
    const items = checkItems([line({ quantity: '1.5', price: '333.34', vat: 20 }), line({ name: '  Towel ', quantity: '0.005', price: '200' })], d('501.01'), 'RUB');
    expect(items).toEqual([
      { name: 'Membership', quantity: '1.5', price: '333.34', vat: 20 },
      { name: 'Towel', quantity: '0.005', price: '200.00', vat: null },
    ]);
  });

  it.each([
    ['a sum short of the amount', [line({ price: '499.99' })], /add up to 499.99.*not the amount 500.00/, 'items'],
    ['a sum above the amount', [line(), line({ price: '0.01' })], /add up to 500.01/, 'items'],
    ['a line amount that only rounds to the amount', [line({ quantity: '0.333', price: '1501.51' })], /items\[0\]: quantity × price is 500.00283, more decimal places than RUB has \(2\)/, 'items[0]'],
    ['half-kopeck line amounts that add up to whole ones', [line({ quantity: '1.5', price: '0.01' }), line({ quantity: '1.5', price: '0.01' }), line({ price: '499.97' })], /items\[0\]: quantity × price is 0.015/, 'items[0]'],
    ['a line of a thousandth of a kopeck', [line({ quantity: '0.001', price: '0.01' }), line({ quantity: '49999.999', price: '0.01' })], /quantity × price is 0.00001/, 'items[0]'],
    ['a lone surrogate in a name', [line({ name: '\ud800 pass' })], /items\[0\]\.name is not well-formed text/, 'items[0].name'],
    ['a lone low surrogate in a name', [line({ name: 'pass \udc00' })], /not well-formed/, 'items[0].name'],
    ['a name of zero-width spaces only', [line({ name: '\u200b\u200b' })], /control characters or invisible format characters/, 'items[0].name'],
    ['a zero-width space in a name', [line({ name: 'Gym\u200bpass' })], /invisible format characters/, 'items[0].name'],
    ['a soft hyphen in a name', [line({ name: 'Gym\u00adpass' })], /invisible format characters/, 'items[0].name'],
    ['a byte-order mark inside a name', [line({ name: 'A\ufeffB' })], /invisible format characters/, 'items[0].name'],
    ['no lines', [], /at least one line/, 'items'],
    ['an empty name', [line({ name: '   ' })], /items\[0\]\.name must not be empty/, 'items[0].name'],
    ['a name of 129 characters', [line({ name: 'x'.repeat(129) })], /at most 128 characters/, 'items[0].name'],
    ['a control character in a name', [line({ name: 'Gym\u0007' })], /control characters/, 'items[0].name'],
    ['a line separator in a name', [line({ name: 'Gym\u2028pass' })], /control characters/, 'items[0].name'],
    ['a right-to-left override in a name', [line({ name: 'Gym \u202epass' })], /control characters/, 'items[0].name'],
    ['a price of 3 decimals', [line({ price: '499.999', quantity: '1' })], /price has more than 2 decimal places/, 'items[0].price'],
    ['a quantity of 4 decimals', [line({ quantity: '1.0001', price: '500' })], /quantity has more than 3 decimal places/, 'items[0].quantity'],
    ['a zero quantity', [line({ quantity: '0' })], /quantity must be greater than zero/, 'items[0].quantity'],
    ['a negative price', [line({ price: '-500' })], /price must be greater than zero/, 'items[0].price'],
    ['a price that is not a number', [line({ price: 'NaN' })], /price must be a decimal number/, 'items[0].price'],
    ['an exponent', [line({ quantity: '1e3' })], /quantity must be a decimal number/, 'items[0].quantity'],
    ['an unknown VAT code', [line({ vat: 18 })], /vat must be one of/, 'items[0].vat'],
    ['a huge quantity', [line({ quantity: '1'.repeat(30) })], /quantity is too large/, 'items[0].quantity'],
  ])('refuses %s, naming the field', (_label, items, message, field) => {
    const r = refusal(() => checkItems(items, d('500'), 'RUB'));
    expect(r.message).toMatch(message);
    expect(r.field).toBe(field);
  });

  it('takes line amounts of whole minor units, whatever the quantity\'s decimals', () => {
    expect(checkItems([line({ quantity: '0.5', price: '0.02' }), line({ quantity: '1.25', price: '399.92' })], d('499.91'), 'RUB')).toHaveLength(2);
    expect(refusal(() => checkItems([line({ quantity: '0.5', price: '3' })], d('1.5'), 'JPY')).message).toMatch(/quantity × price is 1.5, more decimal places than JPY has \(0\)/);
  });

  it('takes the currency\'s minor units for prices (JPY has none)', () => {
    expect(refusal(() => checkItems([line({ price: '500.5', quantity: '2' })], d('1001'), 'JPY')).message).toMatch(/more than 0 decimal places, which JPY/);
    expect(checkItems([line({ price: '500', quantity: '2' })], d('1000'), 'JPY')[0].price).toBe('500');
  });

  it(`at most ${MAX_ITEMS} lines; a name of 128 characters (counted as characters, not bytes) is fine`, () => {
    const many = Array.from({ length: MAX_ITEMS }, () => line({ price: '5' }));
    expect(checkItems(many, d('500'), 'RUB')).toHaveLength(MAX_ITEMS);
    expect(refusal(() => checkItems([...many, line({ price: '5' })], d('505'), 'RUB')).message).toMatch(/at most 100 lines/);
    expect(checkItems([line({ name: 'ж'.repeat(128) })], d('500'), 'RUB')[0].name).toHaveLength(128);
    expect(checkItems([line({ name: '🏋️ Gym' })], d('500'), 'RUB')[0].name).toBe('🏋️ Gym'); // a surrogate pair is a character like any other
  });

  it('tells the default line from others, and shows stored lines (none stored: the default)', () => {
    expect(isDefault(checkItems([{ name: 'Balance top-up', quantity: '1', price: '500' }], d('500'), 'RUB'), d('500'), 'RUB')).toBe(true);
    expect(isDefault(checkItems([{ name: 'Balance top-up', quantity: '1', price: '500', vat: 20 }], d('500'), 'RUB'), d('500'), 'RUB')).toBe(false);
    expect(storedItems([], '250.0000', 'RUB')).toEqual(defaultItems(d('250'), 'RUB'));
    expect(storedItems([{ name: 'A', quantity: '1', price: '1.00', vat: 0 }], '1', 'RUB')).toEqual([{ name: 'A', quantity: '1', price: '1.00', vat: 0 }]);
    // the default line stored spelled out (before it was left out) follows the amount too, e.g. after a partial capture
    expect(storedItems([{ name: 'Balance top-up', quantity: '1', price: '500.00', vat: null }], '300', 'RUB')).toEqual(defaultItems(d('300'), 'RUB'));
  });

  it('tells what named items add up to; the default line adds up to whatever the amount is (null)', () => {
    expect(itemsTotal([])).toBeNull();
    expect(itemsTotal(null)).toBeNull();
    expect(itemsTotal([{ name: 'Balance top-up', quantity: '1', price: '500.00', vat: null }])).toBeNull();
    expect(itemsTotal([{ name: 'Balance top-up', quantity: '1', price: '500.00', vat: 20 }])?.toFixed()).toBe('500');
    expect(itemsTotal([{ name: 'A', quantity: '1.5', price: '333.34', vat: 20 }, { name: 'B', quantity: '0.005', price: '200.00', vat: null }])?.toFixed()).toBe('501.01');
  });
});

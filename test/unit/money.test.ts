import { AppError } from '../../src/domain/errors';
import { Decimal, formatAmount, parseAmount, parseCurrency } from '../../src/domain/money';

function rejects(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return (err as AppError).message;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('money', () => {
  it('parses amounts exactly, without floating point', () => {
    expect(parseAmount('500', 'RUB').toFixed(2)).toBe('500.00');
    expect(parseAmount('0.10', 'RUB').plus(parseAmount('0.20', 'RUB')).toFixed(2)).toBe('0.30');
    expect(parseAmount('999999999999.99', 'RUB').toFixed(2)).toBe('999999999999.99');
    expect(parseAmount(new Decimal('12.5'), 'USD').toFixed(2)).toBe('12.50');
    expect(parseAmount('100', 'JPY').toFixed(0)).toBe('100');
  });

  it.each([
    ['1e400', /decimal number/],
    ['-1', /greater than zero/],
    ['0', /greater than zero/],
    ['12.345', /more than 2 decimal places/],
    ['NaN', /decimal number/],
    ['Infinity', /decimal number/],
    ['1000000000000', /too large/],
    ['', /decimal number/],
    ['0x10', /decimal number/],
    [' 5 5', /decimal number/],
  ])('refuses %j', (value, message) => {
    expect(rejects(() => parseAmount(value, 'RUB'))).toMatch(message);
  });

  it('refuses fractions of a currency without minor units', () => {
    expect(rejects(() => parseAmount('1.5', 'JPY'))).toMatch(/more than 0 decimal places/);
  });

  it('allows zero only when asked', () => {
    expect(parseAmount('0', 'RUB', { allowZero: true }).isZero()).toBe(true);
  });

  it('formats with the currency minor units', () => {
    expect(formatAmount('500', 'RUB')).toBe('500.00');
    expect(formatAmount(new Decimal('10.5'), 'USD')).toBe('10.50');
    expect(formatAmount('10.5000', 'RUB')).toBe('10.50');
    expect(formatAmount('1500', 'JPY')).toBe('1500');
  });

  it('checks currencies', () => {
    expect(parseCurrency(undefined)).toBe('RUB');
    expect(parseCurrency('usd')).toBe('USD');
    expect(rejects(() => parseCurrency('XXX'))).toMatch(/unsupported currency/);
    expect(rejects(() => parseCurrency('rubles'))).toMatch(/three-letter/);
  });
});

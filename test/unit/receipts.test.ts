import { AppError } from '../../src/domain/errors';
import { Decimal } from '../../src/domain/money';
import { advanceReceipt, buildReceipt, checkFiscal, isValidInn, receiptProblem, settlementReceipt, wantsReceipt, METHOD_ADVANCE, METHOD_FULL_PAYMENT, OBJECT_PAYMENT } from '../../src/domain/receipts';
import { defaultItems } from '../../src/domain/payment-items';

const fiscal = { inn: '7707083893', taxationSystem: 1, defaultVat: null, receiptsEnabled: true };
const d = (v: string) => new Decimal(v);

describe('INN', () => {
  it.each([['7707083893', true], ['7707083894', false], ['500100732259', true], ['500100732250', false], ['0000000000', true], ['770708389', false], ['77070838931', false], ['77070838a3', false]])('%s → %s', (inn, ok) => {
    expect(isValidInn(inn)).toBe(ok);
  });
});

describe('fiscal settings', () => {
  it('accepts a valid set', () => {
    expect(checkFiscal({ inn: ' 7707083893 ', taxationSystem: 0, defaultVat: 20, receiptsEnabled: true })).toEqual({ inn: '7707083893', taxationSystem: 0, defaultVat: 20, receiptsEnabled: true });
  });
  it.each([
    [{ inn: '1234567890', taxationSystem: 0, receiptsEnabled: true }, 'fiscal.inn'],
    [{ inn: '7707083893', taxationSystem: 6, receiptsEnabled: true }, 'fiscal.taxationSystem'],
    [{ inn: '7707083893', taxationSystem: -1, receiptsEnabled: true }, 'fiscal.taxationSystem'],
    [{ inn: '7707083893', taxationSystem: 1, defaultVat: 18, receiptsEnabled: true }, 'fiscal.defaultVat'],
    [{ inn: '7707083893', taxationSystem: 1, defaultVat: 118, receiptsEnabled: true }, 'fiscal.defaultVat'],
  ])('refuses %j', (input, field) => {
    try {
      checkFiscal(input);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toContain(field);
    }
  });
});

describe('which movements get a receipt', () => {
  it.each([
    [{ receiptsEnabled: true, inn: '7707083893' }, 'SANDBOX', true],
    [{ receiptsEnabled: true, inn: '7707083893' }, 'CRYPTOCLOUD', true],
    [{ receiptsEnabled: true, inn: '7707083893' }, 'MANUAL', false],
    [{ receiptsEnabled: false, inn: '7707083893' }, 'CLOUDPAYMENTS', false],
    [{ receiptsEnabled: true, inn: null }, 'CLOUDPAYMENTS', false],
  ])('%j %s → %s', (f, type, want) => expect(wantsReceipt(f, type)).toBe(want));
});

describe('receipts', () => {
  it('a top-up is an advance: method 3, object 10, paid electronically', () => {
    const r = advanceReceipt({ items: defaultItems(d('500'), 'RUB'), amount: d('500'), fiscal, contact: { email: 'a@b.c', phone: '+7900' } });
    expect(r).toEqual({
      Items: [{ label: 'Balance top-up', price: '500.00', quantity: '1', amount: '500.00', vat: null, method: METHOD_ADVANCE, object: OBJECT_PAYMENT }],
      taxationSystem: 1, email: 'a@b.c', amounts: { electronic: '500.00' },
    });
  });
  it('keeps the named lines of a full amount, with the default VAT where a line names none', () => {
    const items = [{ name: 'Pass', quantity: '2', price: '150.50', vat: 20 }, { name: 'Towel', quantity: '1', price: '99', vat: null }];
    const r = advanceReceipt({ items, amount: d('400'), fiscal: { ...fiscal, defaultVat: 10 }, contact: { phone: '+79001234567' } });
    expect(r.Items.map((i) => [i.label, i.amount, i.vat])).toEqual([['Pass', '301.00', 20], ['Towel', '99.00', 10]]);
    expect(r.phone).toBe('+79001234567');
  });
  it('a partial refund is one line for the refunded amount', () => {
    const items = [{ name: 'Pass', quantity: '2', price: '150', vat: null }];
    const r = advanceReceipt({ items, amount: d('120.10'), fiscal, contact: {} });
    expect(r.Items).toEqual([{ label: 'Pass', price: '120.10', quantity: '1', amount: '120.10', vat: null, method: 3, object: 10 }]);
    expect(r.amounts).toEqual({ electronic: '120.10' });
  });
  it('a capture of less than the lines (two-stage) is one line for what was taken, not lines that do not add up', () => {
    const items = [{ name: 'Pass', quantity: '1', price: '400', vat: null }, { name: 'Towel', quantity: '2', price: '50', vat: null }];
    const r = advanceReceipt({ items, amount: d('300'), fiscal, contact: {} });
    expect(r.Items).toEqual([{ label: 'Balance top-up', price: '300.00', quantity: '1', amount: '300.00', vat: null, method: 3, object: 10 }]);
  });
  it('buildReceipt never throws: another currency, or lines a receipt cannot take, are a problem to record', () => {
    expect(buildReceipt('USD', () => advanceReceipt({ items: [], amount: d('5'), fiscal, contact: {} }))).toEqual({ problem: expect.stringContaining('in USD') });
    expect(buildReceipt('RUB', () => settlementReceipt({ items: [{ name: 'x', quantity: '1', price: '5', vat: null }], amount: d('6'), fiscal, contact: {} }))).toEqual({ problem: expect.stringContaining('add up') });
    expect(buildReceipt('RUB', () => advanceReceipt({ items: [], amount: d('5'), fiscal, contact: {} }))).toHaveProperty('receipt.amounts.electronic', '5.00');
  });
  it('a spend with items is a full settlement paid with the advance', () => {
    const r = settlementReceipt({ items: [{ name: 'Yoga class', quantity: '1', price: '700', vat: null }], amount: d('700'), fiscal, contact: {} });
    expect(r.Items[0]).toMatchObject({ method: METHOD_FULL_PAYMENT, object: 4, amount: '700.00' });
    expect(r.amounts).toEqual({ advancePayment: '700.00' });
  });
  it.each([
    [{ Items: [], taxationSystem: 0, amounts: { electronic: '1' } }, 'at least one line'],
    [{ Items: [{ label: ' ', price: '1', quantity: '1', amount: '1', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '1' } }, 'no name'],
    [{ Items: [{ label: 'x'.repeat(129), price: '1', quantity: '1', amount: '1', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '1' } }, '128'],
    [{ Items: [{ label: 'a', price: '1.001', quantity: '1', amount: '1.001', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '1.001' } }, '2 decimals'],
    [{ Items: [{ label: 'a', price: '0', quantity: '1', amount: '0', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '0' } }, 'above zero'],
    [{ Items: [{ label: 'a', price: '2', quantity: '2', amount: '3', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '3' } }, 'price × quantity'],
    [{ Items: [{ label: 'a', price: '2', quantity: '1', amount: '2', vat: null, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '3' } }, 'the amounts to 3.00'],
    [{ Items: [{ label: 'a', price: '2', quantity: '1', amount: '2', vat: 18, method: 3, object: 10 }], taxationSystem: 0, amounts: { electronic: '2' } }, 'VAT'],
  ])('refuses %#', (r, problem) => expect(receiptProblem(r)).toContain(problem));
});

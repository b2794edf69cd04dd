import { cardType, luhnValid, TEST_CARDS, validExpiry } from '../../src/sandbox/cards';

describe('sandbox cards', () => {
  it('plays the documented test cards', () => {
    const insufficient = { result: 'declined', reason: 'InsufficientFunds', reasonCode: 5051 };
    expect(TEST_CARDS['4111111111111111']).toEqual({ threeDs: false, outcome: { result: 'approved' }, tokenOutcome: insufficient });
    expect(TEST_CARDS['4242424242424242'].threeDs).toBe(true);
    expect(TEST_CARDS['4012888888881881'].outcome).toEqual({ result: 'declined', reason: 'InsufficientFunds', reasonCode: 5051 });
    expect(TEST_CARDS['4000056655665556'].outcome).toMatchObject({ reasonCode: 5051 });
    expect(TEST_CARDS['4444444444444441'].outcome).toMatchObject({ reasonCode: 5005 });
    expect(TEST_CARDS['5500000000000004'].threeDs).toBe(true);
  });

  it('decides token charges of saved cards, and plays the 4000 0000 0000 0002 trigger', () => {
    expect(TEST_CARDS['4000000000003055'].tokenOutcome).toEqual({ result: 'approved' });
    expect(TEST_CARDS['4242424242424242'].tokenOutcome).toEqual({ result: 'approved' });
    expect(TEST_CARDS['4000000000000002']).toEqual({ threeDs: false, outcome: { result: 'approved' }, tokenOutcome: { result: 'declined', reason: 'InsufficientFunds', reasonCode: 5051 } });
  });

  it('checks Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('41111')).toBe(false);
    expect(luhnValid('4444444444444441')).toBe(false); // the seed's decline card: known cards skip Luhn
  });

  it('names the scheme', () => {
    expect([cardType('4111111111111111'), cardType('5500000000000004'), cardType('2200000000000004'), cardType('2221000000000009')]).toEqual(['Visa', 'Mastercard', 'MIR', 'Mastercard']);
  });

  it('checks expiry', () => {
    const now = new Date('2026-11-23T00:00:00Z');
    expect(validExpiry('11/26', now)).toBe(true);
    expect(validExpiry('10/26', now)).toBe(false);
    expect(validExpiry('13/30', now)).toBe(false);
    expect(validExpiry('1230', now)).toBe(false);
  });
});

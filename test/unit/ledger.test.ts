import { balancesAfterEach, netOf, spendEntryAmount } from '../../src/domain/ledger';
import { Decimal } from '../../src/domain/money';

const d = (v: string) => new Decimal(v);

describe('ledger arithmetic', () => {
  it('a spend is posted negated', () => {
    expect(spendEntryAmount(d('12.34')).toFixed()).toBe('-12.34');
  });

  it('nets signed movements exactly, with no float drift', () => {
    expect(netOf([d('0.1'), d('0.2'), d('-0.3')]).toFixed()).toBe('0');
    expect(netOf([]).toFixed()).toBe('0');
  });

  it('gives the balance after each movement, ending at the final balance', () => {
    expect(balancesAfterEach(d('150'), [d('100'), d('-30'), d('80')]).map((b) => b.toFixed())).toEqual(['100', '70', '150']);
    expect(balancesAfterEach(d('5'), []).map(String)).toEqual([]);
  });
});

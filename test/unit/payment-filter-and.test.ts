// How the filters in force combine (filter-and.ts): the request's, a saved one, the key's default.
import { andFilters, queryOf, scans, type PaymentQuery } from '../../src/services/payments/filter-and';
import { checkPaymentFilter, type PaymentFilterInput } from '../../src/services/payments/payment-filter';
import { filterFromStored, storedFilterOf } from '../../src/services/payments/stored-filter';

const q = (f: PaymentFilterInput) => queryOf(checkPaymentFilter(f));
const and = (...fs: PaymentFilterInput[]): PaymentQuery => andFilters(q(fs[0]), ...fs.slice(1).map(q));

describe('ANDing payment filters', () => {
  it('intersects ids and status lists, keeping the first filter\'s order', () => {
    expect(and({ ids: ['pay_c', 'pay_a', 'pay_b'] }, { ids: ['pay_b', 'pay_c', 'pay_x'] })).toMatchObject({ ids: ['pay_c', 'pay_b'], none: false });
    expect(and({ status: ['CONFIRMED', 'REFUNDED'] }, { status: ['REFUNDED', 'FAILED'] })).toMatchObject({ status: ['REFUNDED'], none: false });
    expect(and({ status: ['CONFIRMED'] }, {})).toMatchObject({ status: ['CONFIRMED'], none: false });
    expect(and({}, { ids: ['pay_a'] })).toMatchObject({ ids: ['pay_a'], none: false });
  });

  it('an empty intersection matches nothing (an empty list, not an error)', () => {
    expect(and({ ids: ['pay_a'] }, { ids: ['pay_b'] })).toMatchObject({ ids: [], none: true });
    expect(and({ status: ['CONFIRMED'] }, { status: ['FAILED'] })).toMatchObject({ status: [], none: true });
  });

  it.each([
    ['clientId', 'client_a', 'client_b'], ['clubId', 'club_a', 'club_b'], ['gatewayId', 'gw_a', 'gw_b'], ['gatewayType', 'SANDBOX', 'CLOUDPAYMENTS'],
    ['currency', 'RUB', 'USD'], ['restrictRefund', true, false], ['hasShortfall', true, false], ['deleted', true, false],
  ])('%s: the one given, the shared one, or nothing for two different values', (field, x, y) => {
    expect(and({ [field]: x }, {})).toMatchObject({ [field]: x, none: false });
    expect(and({}, { [field]: x })).toMatchObject({ [field]: x, none: false });
    expect(and({ [field]: x }, { [field]: x })).toMatchObject({ [field]: x, none: false });
    expect(and({ [field]: x }, { [field]: y }).none).toBe(true);
  });

  it('ranges: the later from, the earlier to; an empty range matches nothing', () => {
    const d = (s: string) => new Date(`2026-12-${s}T00:00:00Z`);
    const r = and({ createdFrom: d('01'), createdTo: d('20'), paidFrom: d('02') }, { createdFrom: d('05'), createdTo: d('25'), paidTo: d('10') });
    expect(r).toMatchObject({ createdFrom: d('05'), createdTo: d('20'), paidFrom: d('02'), paidTo: d('10'), none: false });
    expect(and({ createdFrom: d('10') }, { createdTo: d('10') }).none).toBe(true); // createdTo is exclusive
    expect(and({ paidFrom: d('11') }, { paidTo: d('10') }).none).toBe(true);
    const amounts = and({ amountFrom: '100', amountTo: '500' }, { amountFrom: '200.50', amountTo: '900' });
    expect([amounts.amountFrom?.toFixed(), amounts.amountTo?.toFixed(), amounts.none]).toEqual(['200.5', '500', false]);
    expect(and({ amountFrom: '500' }, { amountTo: '500' }).none).toBe(false); // amountTo is inclusive
    expect(and({ amountFrom: '500.01' }, { amountTo: '500' }).none).toBe(true);
  });

  it('periods, numbers and texts must all match; a period and dates may meet', () => {
    const r = and({ period: 'THIS_MONTH', text: 'gym', number: 'INV-*' }, { period: 'TODAY', text: 'may', number: 'INV-*' }, { createdFrom: new Date('2026-01-01T00:00:00Z') });
    expect(r.periods).toEqual(['THIS_MONTH', 'TODAY']);
    expect(r.texts).toEqual(['%gym%', '%may%']);
    expect(r.numbers).toEqual([{ like: 'INV-%' }]);
    expect(r.createdFrom).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(r.none).toBe(false);
  });

  it('nothing given anywhere hides deleted payments; once nothing matches, nothing ever does', () => {
    expect(and({}, {}).deleted).toBeUndefined();
    expect(and({ clientId: 'a' }, { clientId: 'b' }, {}).none).toBe(true);
    expect(andFilters(q({ status: ['FAILED'] }))).toEqual(q({ status: ['FAILED'] }));
  });
});

describe('a stored filter', () => {
  it('is the checked input, normalized, and reads back to the same filter', () => {
    const input: PaymentFilterInput = {
      ids: ['pay_b', 'pay_b', 'pay_a'], status: ['FAILED', 'FAILED'], currency: ' rub ', amountFrom: '10.50', createdFrom: new Date('2026-12-01T10:00:00.000Z'),
      number: '  INV-*  ', text: ' May ', restrictRefund: false, clientId: null, period: undefined,
    };
    const { checked, stored } = storedFilterOf(input);
    expect(stored).toEqual({ ids: ['pay_b', 'pay_a'], status: ['FAILED'], currency: 'RUB', amountFrom: '10.5', createdFrom: '2026-12-01T10:00:00.000Z', number: 'INV-*', text: 'May', restrictRefund: false });
    expect(filterFromStored(JSON.parse(JSON.stringify(stored)))).toEqual(checked);
  });

  it('is refused like a list filter', () => {
    expect(() => storedFilterOf({ amountFrom: '5', amountTo: '1' })).toThrow(/amountFrom must not be after/);
    expect(() => storedFilterOf({ text: ' ' })).toThrow(/text must not be empty/);
  });

  it('scans (what the cost model prices as SCAN_COST) once any filter in force searches text or a wildcard number', () => {
    expect(scans(and({ clientId: 'client_a' }, { status: ['CONFIRMED'] }))).toBe(false);
    expect(scans(and({ number: 'INV-7' }, {}))).toBe(false); // exact: indexed
    expect(scans(and({}, { text: 'gold' }))).toBe(true);
    expect(scans(and({ clientId: 'client_a' }, { number: 'INV-*' }))).toBe(true);
    expect(scans(and({ text: 'gold', ids: ['pay_a'] }, { ids: ['pay_b'] }))).toBe(false); // matches nothing: nothing is read
  });
});

// The back office's filter and cursors, before any SQL: what is refused, and how searches are read.
import { checkPaymentFilter, decodePageCursor, encodePageCursor } from '../../src/services/payments/payment-filter';

describe('the payment filter', () => {
  it('reads `number` as exact unless it has *, which is the only wildcard', () => {
    expect(checkPaymentFilter({ number: 'txn_1' }).number).toEqual({ exact: 'txn_1' });
    expect(checkPaymentFilter({ number: 'INV-*-7_%' }).number).toEqual({ like: 'INV-%-7\\_\\%' });
    expect(checkPaymentFilter({ number: '**a' }).number).toEqual({ like: '%a' });
    expect(checkPaymentFilter({ text: '50%_off\\' }).text).toBe('%50\\%\\_off\\\\%');
  });

  it('hides deleted payments unless asked for them; keeps each id and status once', () => {
    expect(checkPaymentFilter(null).deleted).toBeUndefined(); // hidden: see whereSql
    expect(checkPaymentFilter({ deleted: true }).deleted).toBe(true);
    expect(checkPaymentFilter({ ids: ['pay_a', 'pay_a'], status: ['FAILED', 'FAILED'] })).toMatchObject({ ids: ['pay_a'], status: ['FAILED'] });
  });

  it.each([
    [{ amountFrom: '5', amountTo: '4.99' }, /amountFrom must not be after amountTo/],
    [{ amountTo: 'ten' }, /non-negative decimal/],
    [{ paidFrom: new Date('2026-02-01'), paidTo: new Date('2026-01-01') }, /paidFrom must not be after paidTo/],
    [{ period: 'TODAY' as const, createdTo: new Date() }, /not both/],
    [{ number: 'a\u0000' }, /control characters/],
    // ids go to SQL as they are: a NUL (which Postgres cannot take) is bad input, never a 500
    [{ clientId: 'a\u0000' }, /clientId must be 1-128 characters/],
    [{ clubId: 'club\u0000' }, /clubId must be 1-128 characters/],
    [{ clientId: 'c'.repeat(129) }, /clientId must be 1-128 characters/],
    [{ gatewayId: 'gw\u0000' }, /gatewayId contains control characters/],
    [{ ids: ['pay_a', 'pay_\u0000'] }, /ids contains control characters/],
    [{ savedFilterId: 'flt_\u001f' }, /savedFilterId contains control characters/],
  ])('refuses %j', (input, message) => {
    expect(() => checkPaymentFilter(input)).toThrow(message);
  });

  it('a cursor is good only for the order it came from, and only as this API writes it', () => {
    expect(decodePageCursor(encodePageCursor({ field: 'CREATED_AT', value: '2026-12-01T10:00:00.123Z', id: 'pay_a' }), 'CREATED_AT')?.value).toBe('2026-12-01T10:00:00.123Z');
    const c = encodePageCursor({ field: 'AMOUNT', value: '250.5000', id: 'pay_abc' });
    expect(decodePageCursor(c, 'AMOUNT')).toEqual({ field: 'AMOUNT', value: '250.5000', id: 'pay_abc' });
    expect(() => decodePageCursor(c, 'CREATED_AT')).toThrow(/not a cursor/);
    expect(decodePageCursor(encodePageCursor({ field: 'PAID_AT', value: null, id: 'pay_x' }), 'PAID_AT')?.value).toBeNull();
    const forged: [string, 'AMOUNT' | 'STATUS' | 'CREATED_AT'][] = [
      [encodePageCursor({ field: 'AMOUNT', value: '1; DROP', id: 'pay_x' }), 'AMOUNT'],
      [encodePageCursor({ field: 'STATUS', value: 'pending', id: 'pay_x' }), 'STATUS'],
      [encodePageCursor({ field: 'STATUS', value: 'FOO', id: 'pay_x' }), 'STATUS'],
      ...['1', '0', 'foo 1', '-271821-04-20T00:00:00.000Z', '2026-12-01T00:00:00Z', '2026-02-30T00:00:00.000Z'].map((v) =>
        [encodePageCursor({ field: 'CREATED_AT', value: v, id: 'pay_x' }), 'CREATED_AT'] as [string, 'CREATED_AT']),
      [encodePageCursor({ field: 'CREATED_AT', value: null, id: 'pay_x' }), 'CREATED_AT'],
      [encodePageCursor({ field: 'CREATED_AT', value: '2026-01-01T00:00:00Z', id: "pay_x' OR 1=1" }), 'CREATED_AT'],
      [Buffer.from('{"a":1}').toString('base64url'), 'CREATED_AT'],
      ['!!!', 'CREATED_AT'],
    ];
    for (const [cursor, field] of forged) expect(() => decodePageCursor(cursor, field)).toThrow(/not a cursor/);
  });
});

// A refund's shortfall as work for staff: what each resolution does, and what is refused. Pure.
import { dedupeKey, resolutionRefusal } from '../../src/domain/attention';
import { Decimal } from '../../src/domain/money';
import { decideShortfall, hadShortfall, isOpen, type ShortfallState } from '../../src/domain/shortfall';

const d = (v: string) => new Decimal(v);
const state = (shortfall: string, debited = '0', resolvedAt: Date | null = null): ShortfallState => ({ shortfall: d(shortfall), debited: d(debited), resolvedAt });
const ok = (decision: ReturnType<typeof decideShortfall>) => {
  if (decision.refusal) throw new Error(decision.refusal.message);
  return [decision.debit.toFixed(2), decision.remaining.toFixed(2), decision.closes];
};

describe('resolving a shortfall', () => {
  it.each(['COLLECTED', 'WRITTEN_OFF'] as const)('%s closes it, debits nothing, whatever the balance', (how) => {
    expect(ok(decideShortfall('ref_1', state('400'), how, d('1000')))).toEqual(['0.00', '400.00', true]);
  });

  it.each([
    ['the balance covers it all: closed', '1000', ['400.00', '0.00', true]],
    ['exactly: closed', '400', ['400.00', '0.00', true]],
    ['only part of it: the rest stays open', '150.25', ['150.25', '249.75', false]],
  ] as const)('DEBITED takes what the balance holds, up to what is short — %s', (_what, balance, expected) => {
    expect(ok(decideShortfall('ref_1', state('400'), 'DEBITED', d(balance)))).toEqual(expected);
  });

  it('DEBITED with nothing on the balance is refused (nothing to take)', () => {
    expect(decideShortfall('ref_1', state('400'), 'DEBITED', d('0')).refusal).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/holds nothing/) });
  });

  it('DEBITED once per refund: after a partial debit only COLLECTED or WRITTEN_OFF close the rest', () => {
    const partly = state('249.75', '150.25');
    expect(isOpen(partly)).toBe(true);
    expect(decideShortfall('ref_1', partly, 'DEBITED', d('1000')).refusal).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already debited/) });
    expect(ok(decideShortfall('ref_1', partly, 'WRITTEN_OFF', d('0')))).toEqual(['0.00', '249.75', true]);
  });

  it.each(['COLLECTED', 'WRITTEN_OFF', 'DEBITED'] as const)('a closed shortfall is not resolved again (%s): CONFLICT', (how) => {
    const closed = state('400', '0', new Date());
    expect(decideShortfall('ref_1', closed, how, d('1000')).refusal?.code).toBe('CONFLICT');
    expect(decideShortfall('ref_1', state('0', '400', new Date()), how, d('1000')).refusal?.code).toBe('CONFLICT');
  });

  it.each(['COLLECTED', 'WRITTEN_OFF', 'DEBITED'] as const)('a refund that never had a shortfall: BAD_USER_INPUT (%s)', (how) => {
    expect(hadShortfall(state('0'))).toBe(false);
    expect(decideShortfall('ref_1', state('0'), how, d('1000')).refusal).toMatchObject({ code: 'BAD_USER_INPUT', message: 'refund ref_1 has no shortfall' });
  });
});

describe('attention items', () => {
  it('one dedupe key per kind, subject and key', () => {
    expect(dedupeKey('AMOUNT_MISMATCH', 'pay_1', 'T1')).toBe('AMOUNT_MISMATCH:pay_1:T1');
    expect(dedupeKey('AMOUNT_MISMATCH', 'pay_1', 'T1')).not.toBe(dedupeKey('DOUBLE_PAYMENT', 'pay_1', 'T1'));
    expect(dedupeKey('UNREADABLE_CALLBACK', 'gw:gw_1', 'x'.repeat(400))).toHaveLength(300);
  });

  it('an item resolves once; a shortfall only through its refund', () => {
    expect(resolutionRefusal({ id: 'att_1', kind: 'AMOUNT_MISMATCH', resolvedAt: null })).toBeNull();
    expect(resolutionRefusal({ id: 'att_1', kind: 'AMOUNT_MISMATCH', resolvedAt: new Date() })?.code).toBe('CONFLICT');
    expect(resolutionRefusal({ id: 'att_1', kind: 'SHORTFALL', resolvedAt: null })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/resolveShortfall/) });
  });
});

import { autoTopUpPaymentKey, decideAutoTopUp, inFlight, parseAutoTopUpSettings } from '../../src/domain/auto-top-up';
import { Decimal } from '../../src/domain/money';

const now = new Date('2026-12-03T12:00:00Z');
const rule = { enabled: true, pausedReason: null, threshold: new Decimal('30'), dailyLimit: 3, chargeDay: null, chargesToday: 0, inFlightTrigger: null };

describe('decideAutoTopUp', () => {
  it.each([
    ['below the threshold', rule, '29.99', null, { charge: true, chargeDay: '2026-12-03', chargesToday: 1 }],
    ['at the threshold', rule, '30', null, { charge: false, why: 'above-threshold' }],
    ['switched off', { ...rule, enabled: false }, '0', null, { charge: false, why: 'disabled' }],
    ['paused', { ...rule, pausedReason: 'declined' }, '0', null, { charge: false, why: 'paused' }],
    ['a trigger without its payment yet', { ...rule, inFlightTrigger: 'led_1' }, '0', null, { charge: false, why: 'in-flight' }],
    ['its payment open', { ...rule, inFlightTrigger: 'led_1' }, '0', { idempotencyKey: autoTopUpPaymentKey('led_1'), status: 'PENDING' as const }, { charge: false, why: 'in-flight' }],
    ['its payment closed', { ...rule, inFlightTrigger: 'led_1' }, '0', { idempotencyKey: autoTopUpPaymentKey('led_1'), status: 'FAILED' as const }, { charge: true, chargeDay: '2026-12-03', chargesToday: 1 }],
    ['the limit reached today', { ...rule, chargeDay: '2026-12-03', chargesToday: 3 }, '0', null, { charge: false, why: 'daily-limit' }],
    ['the limit reached yesterday', { ...rule, chargeDay: '2026-12-02', chargesToday: 3 }, '0', null, { charge: true, chargeDay: '2026-12-03', chargesToday: 1 }],
  ])('%s', (_name, state, balance, last, expected) => {
    expect(decideAutoTopUp(state, new Decimal(balance), last, now)).toEqual(expected);
  });

  it('an open payment of another trigger does not count as this one', () => {
    expect(inFlight({ inFlightTrigger: 'led_2' }, { idempotencyKey: autoTopUpPaymentKey('led_1'), status: 'CONFIRMED' })).toBe(true);
  });
});

describe('parseAutoTopUpSettings', () => {
  it('defaults the daily limit and parses in the currency', () => {
    const s = parseAutoTopUpSettings({ threshold: '0', amount: '100.50' }, 'RUB');
    expect([s.threshold.toFixed(), s.amount.toFixed(), s.dailyLimit]).toEqual(['0', '100.5', 3]);
  });
  it.each([
    [{ threshold: '-1', amount: '10' }, 'threshold'],
    [{ threshold: '1', amount: '0' }, 'amount'],
    [{ threshold: '1', amount: '10.001' }, 'amount'],
    [{ threshold: '1', amount: '10', dailyLimit: 0 }, 'dailyLimit'],
    [{ threshold: '1', amount: '10', dailyLimit: 25 }, 'dailyLimit'],
  ])('refuses %j', (input, field) => {
    expect(() => parseAutoTopUpSettings(input, 'RUB')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    try { parseAutoTopUpSettings(input, 'RUB'); } catch (e) { expect(JSON.stringify(e) + String((e as Error).message)).toContain(field); }
  });
});

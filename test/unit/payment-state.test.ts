import { canTransition, PAYMENT_STATUSES, type Cause, type PaymentStatus } from '../../src/domain/payment-state';

// The whole table, written out independently of the implementation: every (from, to) pair, and
// which causes may make it. Anything not listed is illegal for every cause.
const LEGAL: Record<string, Cause[]> = {
  'PENDING>AUTHORIZED': ['gateway'],
  'PENDING>CONFIRMED': ['gateway', 'staff'],
  'PENDING>FAILED': ['gateway', 'system'],
  'PENDING>CANCELLED': ['gateway', 'api', 'system'],
  'AUTHORIZED>CONFIRMED': ['gateway'],
  'AUTHORIZED>FAILED': ['gateway', 'system'],
  'AUTHORIZED>CANCELLED': ['gateway', 'api', 'system'],
  'CONFIRMED>PARTIALLY_REFUNDED': ['gateway', 'api', 'system'],
  'CONFIRMED>REFUNDED': ['gateway', 'api', 'system'],
  'PARTIALLY_REFUNDED>PARTIALLY_REFUNDED': ['gateway', 'api', 'system'],
  'PARTIALLY_REFUNDED>REFUNDED': ['gateway', 'api', 'system'],
  'FAILED>CONFIRMED': ['gateway', 'staff'],
  'FAILED>AUTHORIZED': ['gateway'],
  'CANCELLED>CONFIRMED': ['gateway', 'staff'],
  'CANCELLED>AUTHORIZED': ['gateway'],
};

const ALL: PaymentStatus[] = ['PENDING', 'AUTHORIZED', 'CONFIRMED', 'CANCELLED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
const CAUSES: Cause[] = ['gateway', 'api', 'system', 'staff'];

describe('payment state machine', () => {
  it('knows every status', () => {
    expect([...PAYMENT_STATUSES].sort()).toEqual([...ALL].sort());
  });

  const cases = ALL.flatMap((from) => ALL.flatMap((to) => CAUSES.map((cause) => [from, to, cause] as const)));
  it.each(cases)('%s -> %s by %s', (from, to, cause) => {
    expect(canTransition(from, to, cause)).toBe(LEGAL[`${from}>${to}`]?.includes(cause) ?? false);
  });

  it('never leaves REFUNDED, and nothing but a verified gateway Pay revives a failed or cancelled payment', () => {
    expect(ALL.some((to) => CAUSES.some((c) => canTransition('REFUNDED', to, c)))).toBe(false);
    for (const from of ['FAILED', 'CANCELLED'] as const) {
      for (const to of ALL) {
        expect(canTransition(from, to, 'api')).toBe(false);
        expect(canTransition(from, to, 'system')).toBe(false);
      }
    }
  });

  it('a late Fail never undoes a Pay', () => {
    for (const from of ['CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
      expect(canTransition(from, 'FAILED', 'gateway')).toBe(false);
      expect(canTransition(from, 'CANCELLED', 'gateway')).toBe(false);
    }
  });
});

describe('named status sets agree with the table', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CLOSED_UNPAID, OPEN, SETTLED } = require('../../src/domain/payment-state');
  it('a Fail or Cancel closes exactly the open states', () => {
    for (const s of ALL) {
      expect(canTransition(s, 'FAILED', 'gateway') && canTransition(s, 'CANCELLED', 'gateway')).toBe(OPEN.includes(s));
    }
  });
  it('only closed-unpaid states are revived, and only by the gateway', () => {
    for (const s of ALL) {
      const revivable = !OPEN.includes(s) && canTransition(s, 'CONFIRMED', 'gateway') && !canTransition(s, 'CONFIRMED', 'api');
      expect(revivable).toBe(CLOSED_UNPAID.includes(s));
    }
  });
  it('settled states never go back', () => {
    for (const s of SETTLED) for (const to of ['PENDING', 'AUTHORIZED', 'FAILED', 'CANCELLED'] as PaymentStatus[]) {
      for (const c of CAUSES) expect(canTransition(s, to, c)).toBe(false);
    }
  });
});

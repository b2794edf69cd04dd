// First in, first out: which debits used up which credit. Credits queue in ledger order; a debit
// takes from the oldest credit not used up; a refund of a payment takes from that payment's
// credit first; an opening balance (earlier credits outside the window) is used up before all.
import { allocate, type AllocationEntry } from '../../src/domain/allocations';
import { Decimal } from '../../src/domain/money';

let n = 0;
const at = () => new Date(Date.UTC(2026, 11, 1, 12, 0, n));
const e = (id: string, kind: string, amount: string, paymentId: string | null = null): AllocationEntry => (n++, { id, kind, amount: new Decimal(amount), at: at(), paymentId });
const topUp = (id: string, amount: string) => e(id, 'TOP_UP', amount, `pay_${id}`);
const spend = (id: string, amount: string) => e(id, 'SPEND', `-${amount}`);
const refundOf = (id: string, credit: string, amount: string) => e(id, 'REFUND', `-${amount}`, `pay_${credit}`);
const adjust = (id: string, amount: string) => e(id, 'ADJUSTMENT', amount);

/** Each credit as "debit:amount" parts, and what is left of it. */
function shown(entries: AllocationEntry[], opening?: string) {
  const out: Record<string, string> = {};
  for (const [credit, use] of allocate(entries, opening === undefined ? undefined : new Decimal(opening))) {
    out[credit] = [...use.allocations.map((a) => `${a.ledgerEntryId}:${a.amount.toFixed()}`), `left ${use.left.toFixed()}`].join(' ');
  }
  return out;
}

describe('allocations (FIFO)', () => {
  it('a debit takes part of the oldest credit', () => {
    expect(shown([topUp('a', '100'), topUp('b', '50'), spend('s1', '30')])).toEqual({ a: 's1:30 left 70', b: 'left 50' });
  });

  it('a debit larger than the oldest credit spans several, oldest first', () => {
    expect(shown([topUp('a', '100'), topUp('b', '50'), topUp('c', '20'), spend('s1', '140')]))
      .toEqual({ a: 's1:100 left 0', b: 's1:40 left 10', c: 'left 20' });
  });

  it('several debits use a credit up in turn; a credit made later waits for the earlier ones', () => {
    expect(shown([topUp('a', '100'), spend('s1', '60'), topUp('b', '100'), spend('s2', '60'), spend('s3', '60')]))
      .toEqual({ a: 's1:60 s2:40 left 0', b: 's2:20 s3:60 left 20' });
  });

  it('a refund takes from its own payment first, even when older credits are unused', () => {
    expect(shown([topUp('a', '100'), topUp('b', '50'), refundOf('r1', 'b', '50')])).toEqual({ a: 'left 100', b: 'r1:50 left 0' });
  });

  it('a refund larger than what is left of its payment takes the rest from the oldest credit', () => {
    expect(shown([topUp('a', '100'), topUp('b', '50'), spend('s1', '120'), refundOf('r1', 'b', '50')]))
      .toEqual({ a: 's1:100 left 0', b: 's1:20 r1:30 left 0' });
    expect(shown([topUp('a', '100'), spend('s1', '30'), topUp('b', '50'), topUp('c', '80'), spend('s2', '100'), refundOf('r1', 'b', '50')]))
      .toEqual({ a: 's1:30 s2:70 left 0', b: 's2:30 r1:20 left 0', c: 'r1:30 left 50' });
  });

  it('a refund of another payment (one that is not a credit here) is a debit like any other', () => {
    expect(shown([topUp('a', '100'), refundOf('r1', 'zz', '40')])).toEqual({ a: 'r1:40 left 60' });
  });

  it('adjustments: a positive one queues as a credit, a negative one is a debit', () => {
    expect(shown([adjust('j1', '20'), topUp('a', '100'), adjust('j2', '-30'), spend('s1', '10')]))
      .toEqual({ j1: 'j2:20 left 0', a: 'j2:10 s1:10 left 80' });
  });

  it('an opening balance (earlier credits) is used up before any credit of the window, refunds of earlier payments too', () => {
    expect(shown([topUp('a', '100'), spend('s1', '30'), spend('s2', '90')], '50')).toEqual({ a: 's2:70 left 30' });
    expect(shown([topUp('a', '100'), refundOf('r0', 'earlier', '60'), spend('s1', '20')], '50')).toEqual({ a: 'r0:10 s1:20 left 70' });
    // ... but the window's own refund still takes from its payment first
    expect(shown([topUp('a', '100'), refundOf('r1', 'a', '60')], '50')).toEqual({ a: 'r1:60 left 40' });
  });

  it('never allocates more than there is (data that would overdraw)', () => {
    expect(shown([topUp('a', '10'), spend('s1', '25')])).toEqual({ a: 's1:10 left 0' });
    expect(shown([spend('s0', '5'), topUp('a', '10')])).toEqual({ a: 'left 10' });
  });

  it('allocations carry the debit\'s kind and time, in ledger order', () => {
    const entries = [topUp('a', '100'), spend('s1', '30'), refundOf('r1', 'a', '20'), adjust('j1', '-10')];
    const use = allocate(entries).get('a')!;
    expect(use.allocations.map((x) => [x.ledgerEntryId, x.kind, x.amount.toFixed(), x.at])).toEqual([
      ['s1', 'SPEND', '30', entries[1].at], ['r1', 'REFUND', '20', entries[2].at], ['j1', 'ADJUSTMENT', '10', entries[3].at],
    ]);
  });

  it('the window from a credit on gives that credit the same allocations as the whole ledger', () => {
    // Money is fungible: whatever earlier credits held, the balance before the window stands for them.
    const ledger = [topUp('a', '100'), topUp('b', '40'), spend('s1', '70'), refundOf('r1', 'a', '10'), topUp('c', '60'), spend('s2', '50'),
      refundOf('r2', 'b', '40'), spend('s3', '45'), adjust('j1', '15'), spend('s4', '20')];
    const whole = allocate(ledger);
    let balance = new Decimal(0);
    for (const [i, entry] of ledger.entries()) {
      if (entry.amount.gt(0)) expect(allocate(ledger.slice(i), balance).get(entry.id)).toEqual(whole.get(entry.id));
      balance = balance.plus(entry.amount);
    }
  });
});

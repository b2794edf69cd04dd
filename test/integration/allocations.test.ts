// payment.allocations: which debits a top-up paid for, first in first out, from the real ledger:
// spends (debitBalance), refunds of this payment (taken from it first) and of others, negative
// adjustments. TEST and LIVE balances are separate ledgers. Read only when asked, and bounded: a
// client with a very long ledger is read from the top-up on, never past MAX_ALLOCATION_SCAN entries.
import { allocate } from '../../src/domain/allocations';
import { Decimal } from '../../src/domain/money';
import { postToLedger } from '../../src/services/ledger/post';
import { MAX_ALLOCATION_SCAN } from '../../src/services/payments/allocations';
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, outboxDrained, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const ALLOCATIONS = 'query($id: ID!) { payment(id: $id) { id allocations { ledgerEntryId kind amount at } } }';

describe('payment.allocations', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('allocations', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const client = async (id: string) => {
    await t.gql('mutation($c: ClientInput!) { upsertClient(input: $c) { id } }', { c: { id, clubId: shop.clubId, name: id } }, shop.token);
    return { ...shop, clientId: id };
  };
  /** A top-up paid by card and credited. */
  const paid = async (s: Shop, amount: string) => {
    const { transactionId, paymentUrl } = await topUp(t, s, { clientId: s.clientId, amount });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId, kind: 'TOP_UP' } }), (n) => n === 1);
    return transactionId;
  };
  const spend = async (s: Shop, amount: string, token = s.token) => {
    const r = await t.gql('mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id } }', { i: { clientId: s.clientId, amount, reason: 'bar' } }, token);
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    return r.body.data.debitBalance.id as string;
  };
  const adjust = async (s: Shop, amount: string, token = s.token) => {
    const r = await t.gql('mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { id } }', { i: { clientId: s.clientId, amount, reason: 'desk' } }, token);
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    return r.body.data.adjustBalance.id as string;
  };
  const refund = async (paymentId: string, amount: string) => {
    const r = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { refundId } }', { i: { transactionId: paymentId, amount } }, shop.token);
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    const { refundId } = r.body.data.refundPayment;
    const entry = await waitFor(() => t.deps.db.ledgerEntry.findFirst({ where: { refundId } }), (e) => e !== null);
    return entry!.id;
  };
  const allocations = async (id: string, token = shop.token) => {
    const res = await t.gql(ALLOCATIONS, { id }, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data.payment?.allocations.map((a: any) => `${a.kind} ${a.amount} ${a.ledgerEntryId}`);
  };

  it('spends, refunds and negative adjustments use top-ups up oldest first; a refund takes from its own payment first', async () => {
    const s = await client('client_fifo');
    const a = await paid(s, '100');
    const b = await paid(s, '50');
    expect(await allocations(a)).toEqual([]);

    const s1 = await spend(s, '30');
    expect(await allocations(a)).toEqual([`SPEND 30.00 ${s1}`]);
    const s2 = await spend(s, '100'); // spans a and b
    expect(await allocations(a)).toEqual([`SPEND 30.00 ${s1}`, `SPEND 70.00 ${s2}`]);
    expect(await allocations(b)).toEqual([`SPEND 30.00 ${s2}`]);

    const r1 = await refund(b, '20'); // b's own 20 left
    expect(await allocations(b)).toEqual([`SPEND 30.00 ${s2}`, `REFUND 20.00 ${r1}`]);

    await adjust(s, '40'); // a credit of its own, queued before c
    const c = await paid(s, '60');
    const j = await adjust(s, '-50'); // the adjustment's 40, then 10 of c
    expect(await allocations(c)).toEqual([`ADJUSTMENT 10.00 ${j}`]);
    const r2 = await refund(a, '10'); // a is used up: its refund takes from the oldest credit with money, c
    expect(await allocations(c)).toEqual([`ADJUSTMENT 10.00 ${j}`, `REFUND 10.00 ${r2}`]);
    expect(await allocations(a)).toEqual([`SPEND 30.00 ${s1}`, `SPEND 70.00 ${s2}`]);

    const list = await t.gql('query($f: PaymentFilter) { payments(first: 3, filter: $f) { edges { node { id allocations { kind amount } } } } }', { f: { clientId: s.clientId } }, shop.token);
    const byId = Object.fromEntries(list.body.data.payments.edges.map((e: any) => [e.node.id, e.node.allocations.map((x: any) => `${x.kind} ${x.amount}`)]));
    expect(byId).toEqual({ [a]: ['SPEND 30.00', 'SPEND 70.00'], [b]: ['SPEND 30.00', 'REFUND 20.00'], [c]: ['ADJUSTMENT 10.00', 'REFUND 10.00'] });
  });

  it('the LIVE balance is another ledger: its movements never use up a TEST top-up', async () => {
    const s = await client('client_envs');
    const a = await paid(s, '80');
    await adjust(s, '500', shop.liveToken);
    await spend(s, '300', shop.liveToken);
    await adjust(s, '-100', shop.liveToken);
    expect(await allocations(a)).toEqual([]);
    const used = await spend(s, '5');
    expect(await allocations(a)).toEqual([`SPEND 5.00 ${used}`]);
  });

  it('a payment not credited (pending, declined) has none; another organization and the LIVE key do not see the payment', async () => {
    const { transactionId } = await topUp(t, shop);
    expect(await allocations(transactionId)).toEqual([]);
    const s = await client('client_snoop');
    const a = await paid(s, '10');
    await spend(s, '4');
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect(await allocations(a, viewer.token)).toHaveLength(1);
    const other = await makeOrg(t.deps, 'Snoop');
    expect((await t.gql(ALLOCATIONS, { id: a }, other.testToken)).body.data.payment).toBeNull();
    expect((await t.gql(ALLOCATIONS, { id: a }, shop.liveToken)).body.data.payment).toBeNull();
  });

  it(`a very long ledger: read from the top-up on, at most ${MAX_ALLOCATION_SCAN} entries; an earlier balance is used up first`, async () => {
    await outboxDrained(t);
    const s = await client('client_long');
    await adjust(s, '10'); // held before the top-up: debits use it up first
    const a = await paid(s, '100');
    const credit = await t.deps.db.ledgerEntry.findFirstOrThrow({ where: { paymentId: a, kind: 'TOP_UP' } });
    expect(credit.balanceAfter.toFixed(2)).toBe('110.00');
    const cents = MAX_ALLOCATION_SCAN + 1000 + 1000; // the first 1000 cents use up the earlier 10.00
    for (let done = 0; done < cents; done += 2000) {
      await t.deps.db.$transaction((tx) => postToLedger(tx, Array.from({ length: Math.min(2000, cents - done) }, () => ({
        organizationId: shop.orgId, environment: 'TEST' as const, clientId: s.clientId, kind: 'SPEND' as const, amount: new Decimal('-0.01'), actor: 'test', reason: 'cent',
      }))));
    }
    const got = await allocations(a);
    // of the first MAX entries after the top-up, 1000 took the earlier 10.00, the rest took from the top-up
    expect(got).toHaveLength(MAX_ALLOCATION_SCAN - 1000);
    expect(new Set(got.map((x: string) => x.split(' ').slice(0, 2).join(' ')))).toEqual(new Set(['SPEND 0.01']));
    const entries = await t.deps.db.ledgerEntry.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', clientId: s.clientId, kind: 'SPEND' }, orderBy: [{ at: 'asc' }, { id: 'asc' }], select: { id: true } });
    expect(got[0].split(' ')[2]).toBe(entries[1000].id);
    expect(got.at(-1).split(' ')[2]).toBe(entries[MAX_ALLOCATION_SCAN - 1].id);
  }, 60_000);

  it('is priced as a ledger read: at most four allocations fields fit in one document', async () => {
    const a = await paid(await client('client_priced'), '1');
    const refused = /query costs \d+, more than the limit/;
    for (const first of [5, 38, 100]) {
      const page = await t.gql(`{ payments(first: ${first}) { edges { node { id allocations { amount } } } } }`, {}, shop.token);
      expect(page.body.errors?.[0].message).toMatch(refused);
      expect(page.body.data).toBeUndefined();
    }
    expect((await t.gql('{ payments(first: 4) { edges { node { id allocations { amount } } } } }', {}, shop.token)).body.errors).toBeUndefined();
    const aliases = (n: number) => '{ ' + Array.from({ length: n }, (_, i) => `a${i}: payment(id: "${a}") { allocations { amount } }`).join(' ') + ' }';
    for (const n of [5, 38]) expect((await t.gql(aliases(n), {}, shop.token)).body.errors?.[0].message).toMatch(refused);
    const four = await t.gql(aliases(4), {}, shop.token);
    expect(four.body.errors).toBeUndefined();
    expect(four.body.data.a3.allocations).toEqual([]);
  });

  it('stops reading at the entry that surely uses the top-up up, never before it: refunds of later payments take from those first', async () => {
    const s = await client('client_window');
    const a = await paid(s, '10');
    const b = await paid(s, '50');
    const r = await refund(b, '50'); // all from b's own credit: a untouched
    const used = await spend(s, '5');
    expect(await allocations(a)).toEqual([`SPEND 5.00 ${used}`]);
    await adjust(s, '20');
    const rest = await spend(s, '8'); // a's last 5, then the adjustment's (nothing is left of b)
    for (let i = 0; i < 3; i++) await adjust(s, '-0.01');
    expect(await allocations(a)).toEqual([`SPEND 5.00 ${used}`, `SPEND 5.00 ${rest}`]);
    expect(await allocations(b)).toEqual([`REFUND 50.00 ${r}`]);
  });

  it.each([7, 11, 23])('agrees with allocating the whole ledger, on a random ledger of top-ups, refunds, spends and adjustments (seed %i)', async (start) => {
    const s = await client(`client_random_${start}`);
    let seed = start;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const pids: string[] = [];
    for (let i = 0; i < 8; i++) pids.push((await topUp(t, s, { clientId: s.clientId, amount: '1' })).transactionId);
    const post = (kind: 'TOP_UP' | 'REFUND' | 'SPEND' | 'ADJUSTMENT', amount: Decimal, paymentId: string | null = null) =>
      t.deps.db.$transaction((tx) => postToLedger(tx, [{ organizationId: shop.orgId, environment: 'TEST', clientId: s.clientId, kind, amount, paymentId, actor: 'test', reason: 'random' }]));
    let balance = new Decimal(0);
    const credited: { pid: string; left: Decimal }[] = [];
    for (let i = 0; i < 50; i++) {
      const x = rnd();
      const amount = new Decimal(1 + Math.floor(rnd() * 40));
      const refundable = credited.filter((c) => c.left.gt(0));
      if ((x < 0.3 || balance.isZero()) && credited.length < pids.length) {
        credited.push({ pid: pids[credited.length], left: amount });
        await post('TOP_UP', amount, pids[credited.length - 1]);
        balance = balance.plus(amount);
      } else if (x < 0.4) {
        await post('ADJUSTMENT', amount);
        balance = balance.plus(amount);
      } else if (x < 0.7 && refundable.length) {
        // mostly of the newest payments: refunds that take from their own later credits, not the older top-ups
        const c = refundable[Math.max(0, refundable.length - 1 - Math.floor(rnd() * 2))];
        const take = Decimal.min(c.left, balance, amount);
        if (take.lte(0)) continue;
        c.left = c.left.minus(take);
        await post('REFUND', take.negated(), c.pid);
        balance = balance.minus(take);
      } else {
        const take = Decimal.min(balance, amount);
        if (take.lte(0)) continue;
        await post(rnd() < 0.7 ? 'SPEND' : 'ADJUSTMENT', take.negated());
        balance = balance.minus(take);
      }
    }
    const ledger = await t.deps.db.ledgerEntry.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', clientId: s.clientId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    const whole = allocate(ledger.map((e) => ({ id: e.id, kind: e.kind, amount: new Decimal(e.amount.toString()), at: e.at, paymentId: e.paymentId })));
    expect(credited.length).toBeGreaterThan(2);
    for (const { pid } of credited) {
      const entry = ledger.find((e) => e.paymentId === pid && e.kind === 'TOP_UP')!;
      const want = whole.get(entry.id)!.allocations.map((x) => `${x.kind} ${x.amount.toFixed(2)} ${x.ledgerEntryId}`);
      expect(await allocations(pid)).toEqual(want);
    }
  }, 60_000);

  it('a top-up used up early lists only the debits that used it up', async () => {
    const s = await client('client_short');
    const a = await paid(s, '1');
    const used = await spend(s, '1');
    for (let i = 0; i < 3; i++) await adjust(s, '1');
    expect(await allocations(a)).toEqual([`SPEND 1.00 ${used}`]);
  });
});

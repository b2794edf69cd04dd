// The outbox consumer books credits in batches straight from Postgres: one transaction for many
// payments, one balance update per client, and still exactly once whatever is duplicated, raced,
// malformed or failing. These tests drive the consumer's drain by hand (no worker running).
import { Decimal } from '../../src/domain/money';
import { drainOutbox, MAX_OUTBOX_ATTEMPTS, OUTBOX_HANDLERS } from '../../src/jobs/outbox/consumer';
import { giveUpOutboxRow } from '../../src/services/attention/outbox-stuck';
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, storedBalance, topUp, type Shop } from '../helpers/fixtures';

const credit = OUTBOX_HANDLERS.find((h) => h.kind === 'payment.credit')!;

describe('the outbox consumer', () => {
  let t: TestApp;
  let shop: Shop;
  const clients = ['client_a', 'client_b', 'client_c'];

  beforeAll(async () => {
    t = await startTestApp('outboxconsumer');
    shop = await makeShop(t);
    for (const id of clients) {
      const res = await t.gql('mutation($c: ClientInput!) { upsertClient(input: $c) { id } }', { c: { id, clubId: shop.clubId, name: id } }, shop.token);
      expect(res.body.errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  /** Confirmed payments (Pay answered 0), not credited: no consumer runs in this app. */
  async function paid(clientId: string, amount: string, n = 1): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { transactionId } = await topUp(t, shop, { clientId, amount: Number(amount) });
      const res = await sendNotification(t.url, shop.gatewayId, 'pay', payFields(transactionId, clientId, amount), { secret: shop.apiSecret });
      expect(res.body).toEqual({ code: 0 });
      ids.push(transactionId);
    }
    return ids;
  }
  const drainAll = async () => {
    let total = 0;
    for (let n = await drainOutbox(t.deps, credit); n > 0; n = await drainOutbox(t.deps, credit)) total += n;
    return total;
  };
  const topUps = (ids: string[]) => t.deps.db.ledgerEntry.findMany({ where: { paymentId: { in: ids }, kind: 'TOP_UP' }, orderBy: { at: 'asc' } });

  it('books many payments of several clients in one transaction: every balance, every balanceAfter and every event right', async () => {
    await drainAll();
    const before = await Promise.all(clients.map((c) => storedBalance(t, shop.orgId, c)));
    const ids = new Map<string, string[]>();
    for (const [i, c] of clients.entries()) ids.set(c, await paid(c, `${i + 1}0.01`, 5));
    const all = [...ids.values()].flat();

    expect(await drainOutbox(t.deps, credit)).toBe(15); // one batch

    for (const [i, c] of clients.entries()) {
      const amount = new Decimal(`${i + 1}0.01`);
      expect(await storedBalance(t, shop.orgId, c)).toBe(new Decimal(before[i]).plus(amount.times(5)).toFixed(2));
      const entries = (await topUps(ids.get(c)!)).sort((a, b) => a.balanceAfter.comparedTo(b.balanceAfter));
      expect(entries).toHaveLength(5);
      // Each entry carries the balance right after it: consecutive, one amount apart, ending at the balance.
      entries.forEach((e, k) => expect(e.balanceAfter.toFixed(2)).toBe(new Decimal(before[i]).plus(amount.times(k + 1)).toFixed(2)));
    }
    const events = await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event', organizationId: shop.orgId } });
    const received = events.map((e) => (e.payload as { message: { type: string; data: { id: string; balanceAfter?: string } } }).message)
      .filter((m) => m.type === 'PAYMENT_RECEIVED' && all.includes(m.data.id));
    expect(received).toHaveLength(15);
    const ledger = new Map((await topUps(all)).map((e) => [e.paymentId, e.balanceAfter.toFixed(2)]));
    for (const m of received) expect(m.data.balanceAfter).toBe(ledger.get(m.data.id));
    expect(await t.deps.db.outbox.count({ where: { key: { in: all.map((id) => `credit-${id}`) }, status: 'PENDING' } })).toBe(0);
  });

  it('concurrent drains (as in several processes) never share a row: 40 payments, each credited once', async () => {
    await drainAll();
    const before = await storedBalance(t, shop.orgId, 'client_a');
    const ids = await paid('client_a', '1.25', 40);
    // Small batches so the drains really interleave.
    const small = { ...credit, batch: 3 };
    const drains = Array.from({ length: 6 }, async () => {
      let n = 0;
      for (let k = await drainOutbox(t.deps, small); k > 0; k = await drainOutbox(t.deps, small)) n += k;
      return n;
    });
    expect((await Promise.all(drains)).reduce((a, b) => a + b, 0)).toBe(40);
    expect(await topUps(ids)).toHaveLength(40);
    expect(await storedBalance(t, shop.orgId, 'client_a')).toBe(new Decimal(before).plus(50).toFixed(2));
  });

  it('a row that fails holds up nothing else: the others are booked, it backs off with its error, and out of attempts it waits for a person', async () => {
    await drainAll();
    const good = await paid('client_b', '3.00', 2);
    const { transactionId: unpaid } = await topUp(t, shop, { clientId: 'client_b', amount: 3 }); // PENDING: nothing to credit
    await t.deps.db.outbox.create({ data: { key: `credit-forged-${unpaid}`, kind: 'payment.credit', organizationId: shop.orgId, payload: { paymentId: unpaid } } });

    expect(await drainOutbox(t.deps, credit)).toBe(3);
    expect(await topUps(good)).toHaveLength(2);
    expect(await topUps([unpaid])).toHaveLength(0);
    const bad = await t.deps.db.outbox.findUniqueOrThrow({ where: { key: `credit-forged-${unpaid}` } });
    expect(bad).toMatchObject({ status: 'PENDING', attempts: 1, lastError: expect.stringMatching(/not confirmed/) });
    expect(bad.availableAt.getTime()).toBeGreaterThan(Date.now());
    expect(await drainOutbox(t.deps, credit)).toBe(0); // backing off: not taken again yet

    await t.deps.db.outbox.update({ where: { id: bad.id }, data: { attempts: MAX_OUTBOX_ATTEMPTS, availableAt: new Date(0) } });
    expect(await drainOutbox(t.deps, credit)).toBe(0); // out of attempts: left for a person
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: bad.id } })).toMatchObject({ status: 'PENDING' });
    await t.deps.db.outbox.delete({ where: { id: bad.id } });
  });

  it('a row with a malformed payload is left for a person at once, and the batch goes on', async () => {
    await drainAll();
    const good = await paid('client_c', '2.00');
    await t.deps.db.outbox.create({ data: { key: 'credit-malformed', kind: 'payment.credit', organizationId: shop.orgId, payload: { payment: 'nope' } } });
    expect(await drainOutbox(t.deps, credit)).toBe(2);
    expect(await topUps(good)).toHaveLength(1);
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { key: 'credit-malformed' } })).toMatchObject({ status: 'GIVEN_UP', attempts: 1, lastError: expect.stringMatching(/malformed/) });
    await t.deps.db.outbox.delete({ where: { key: 'credit-malformed' } });
  });

  it('a row given up twice (a racing second give-up) raises (or reopens) its item once: only a row still open is given up', async () => {
    const { transactionId } = await topUp(t, shop, { clientId: 'client_c', amount: 2 });
    const row = await t.deps.db.outbox.create({ data: { key: `credit-twice-${transactionId}`, kind: 'payment.credit', organizationId: shop.orgId, payload: { paymentId: transactionId } } });
    const claimed = { id: row.id, key: row.key, kind: 'payment.credit' as const, organizationId: shop.orgId, payload: row.payload, attempts: 0 };
    const first = await t.deps.db.$transaction((tx) => giveUpOutboxRow(tx, t.deps.log, claimed, 'out of attempts', 'boom'));
    await t.deps.db.attentionItem.updateMany({ where: { organizationId: shop.orgId, kind: 'OUTBOX_STUCK', paymentId: transactionId }, data: { resolvedAt: new Date(), note: 'handled' } });
    const second = await t.deps.db.$transaction((tx) => giveUpOutboxRow(tx, t.deps.log, claimed, 'out of attempts', 'boom'));
    expect([first.length, second.length]).toEqual([1, 0]);
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'GIVEN_UP', attempts: 1, lastError: 'out of attempts: boom' });
    expect(await t.deps.db.attentionItem.findMany({ where: { organizationId: shop.orgId, kind: 'OUTBOX_STUCK', paymentId: transactionId } })).toEqual([expect.objectContaining({ note: 'handled' })]); // not reopened
    await t.deps.db.outbox.deleteMany({ where: { id: { in: [row.id] } } });
  });

  it('a second credit row for a payment already booked (a replayed or forged row) is closed without a second booking', async () => {
    await drainAll();
    const [id] = await paid('client_c', '7.00');
    await drainAll();
    const balance = await storedBalance(t, shop.orgId, 'client_c');
    await t.deps.db.outbox.create({ data: { key: `credit-again-${id}`, kind: 'payment.credit', organizationId: shop.orgId, payload: { paymentId: id } } });
    const [other] = await paid('client_c', '1.00');
    expect(await drainAll()).toBe(2); // the batch fails, then each row alone
    expect(await topUps([id])).toHaveLength(1);
    expect(await topUps([other])).toHaveLength(1);
    expect(await storedBalance(t, shop.orgId, 'client_c')).toBe(new Decimal(balance).plus(1).toFixed(2));
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { key: `credit-again-${id}` } })).toMatchObject({ status: 'DONE' });
  });

  it('a payment the book will not credit (the client\'s currency changed under it) is noted for a person in the same batch as the others', async () => {
    await drainAll();
    const res = await t.gql('mutation($c: ClientInput!) { upsertClient(input: $c) { id } }', { c: { id: 'client_d', clubId: shop.clubId, name: 'd' } }, shop.token);
    expect(res.body.errors).toBeUndefined();
    const [odd] = await paid('client_d', '4.00');
    const [good] = await paid('client_a', '4.00');
    await t.deps.db.client.update({ where: { organizationId_id: { organizationId: shop.orgId, id: 'client_d' } }, data: { currency: 'KZT' } });
    expect(await drainOutbox(t.deps, credit)).toBe(2);
    expect(await topUps([good])).toHaveLength(1);
    expect(await topUps([odd])).toHaveLength(0);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: odd, code: 'CURRENCY_MISMATCH' } })).toBe(1);
    expect(await t.deps.db.outbox.count({ where: { key: { in: [`credit-${odd}`, `credit-${good}`] }, status: 'DONE', attempts: 0 } })).toBe(2);
  });
});

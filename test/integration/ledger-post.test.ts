// postToLedger locks every client row it moves once, in one order, before touching either
// environment's balance: two batches whose LIVE and TEST postings cross never deadlock.
import { Decimal } from '../../src/domain/money';
import { postToLedger, type Posting } from '../../src/services/ledger/post';
import { startTestApp, type TestApp } from '../helpers/app';
import { makeShop, type Shop } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

describe('postToLedger under crossed batches', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('ledgerpost');
    shop = await makeShop(t, { clientId: 'client_a' });
    await t.gql('mutation { upsertClient(input: { id: "client_b", clubId: "club_abc123", name: "B" }) { id } }', {}, shop.token);
  });
  afterAll(() => t.close());

  const posting = (environment: 'LIVE' | 'TEST', clientId: string): Posting => ({
    organizationId: shop.orgId, environment, clientId, kind: 'ADJUSTMENT', amount: new Decimal('1.00'), actor: 'test', reason: 'crossed',
  });

  it('LIVE b + TEST a against LIVE a + TEST b: both commit, no deadlock', async () => {
    let releaseA!: () => void;
    const aReleased = new Promise<void>((resolve) => (releaseA = resolve));
    let holding!: () => void;
    const aHeld = new Promise<void>((resolve) => (holding = resolve));
    // The second batch holds client a's row while the first one starts.
    const second = t.deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "Client" WHERE "organizationId" = ${shop.orgId} AND id = 'client_a' FOR UPDATE`;
      holding();
      await aReleased;
      return postToLedger(tx, [posting('LIVE', 'client_a'), posting('TEST', 'client_b')]);
    }, { timeout: 20_000 });
    await aHeld;
    const first = t.deps.db.$transaction((tx) => postToLedger(tx, [posting('LIVE', 'client_b'), posting('TEST', 'client_a')]), { timeout: 20_000 });
    // until the first batch waits for a row lock
    const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    await waitFor(async () => (await t.deps.pg.query(waiting)).rows[0].n, (n) => n > 0);
    releaseA();
    const results = await Promise.allSettled([first, second]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);
    const clients = await t.deps.db.client.findMany({ where: { organizationId: shop.orgId, id: { in: ['client_a', 'client_b'] } }, orderBy: { id: 'asc' } });
    expect(clients.map((c) => [c.id, c.balance.toFixed(2), c.testBalance.toFixed(2)])).toEqual([['client_a', '1.00', '1.00'], ['client_b', '1.00', '1.00']]);
  });
});

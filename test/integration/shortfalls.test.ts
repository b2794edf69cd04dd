// Refund shortfalls as a work queue: a refund of a spent top-up leaves one; staff collect it, write
// it off, or debit what the balance holds now (once, never below zero, never twice however the
// calls race), and partners hear of the debit. Nothing for other roles, organizations or environments.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, ledgerInvariant, makeShop, SEED_STATUS, topUp, type Shop } from '../helpers/fixtures';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const REFUND_FIELDS = 'id paymentId status amount shortfall shortfallResolution shortfallNote shortfallDebited shortfallResolvedAt';
const SHORTFALLS = `query($open: Boolean, $first: Int, $after: String) { shortfalls(open: $open, first: $first, after: $after) { edges { cursor node { ${REFUND_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const RESOLVE = `mutation($id: ID!, $how: ShortfallResolution!, $note: String) { resolveShortfall(refundId: $id, how: $how, note: $note) { ${REFUND_FIELDS} } }`;
const ITEMS = '{ attentionItems { edges { node { id kind paymentId refundId evidence resolvedAt note } } } }';

describe('refund shortfalls', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('shortfalls', {}, { workers: true });
  });
  afterAll(() => t.close());

  /** A client whose 500.00 top-up was spent down to `left` and then refunded in full: a shortfall of 500 − left. */
  async function shortfallOf(left = 100): Promise<{ shop: Shop; paymentId: string; refundId: string }> {
    const shop = await makeShop(t, { clientId: `client_${Math.random().toString(36).slice(2, 10)}` });
    const { paymentUrl, transactionId: paymentId } = await topUp(t, shop, { amount: 500 });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => balanceOf(t, shop), (b) => b === '500.00');
    const spent = await t.gql('mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id } }', { i: { clientId: shop.clientId, amount: 500 - left, reason: 'visits' } }, shop.token);
    expect(spent.body.errors).toBeUndefined();
    const refunded = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success refundId } }', { i: { transactionId: paymentId } }, shop.token);
    const { refundId } = refunded.body.data.refundPayment;
    await waitFor(async () => (await t.gql(SEED_STATUS, { transactionId: paymentId }, shop.token)).body.data.payment, (p) => p.status === 'REFUNDED');
    return { shop, paymentId, refundId };
  }

  const list = async (shop: Shop, open?: boolean, token = shop.token) => {
    const res = await t.gql(SHORTFALLS, { open }, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data.shortfalls.edges.map((e: { node: { id: string } }) => e.node);
  };
  const resolve = (shop: Shop, id: string, how: string, note?: string, token = shop.token) => t.gql(RESOLVE, { id, how, note }, token);
  const refundRow = (id: string) => t.deps.db.refund.findUniqueOrThrow({ where: { id } });
  const adjust = (shop: Shop, amount: string) => t.gql('mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { balanceAfter } }', { i: { clientId: shop.clientId, amount, reason: 'paid at the desk' } }, shop.token);
  const ledgerCount = (shop: Shop) => t.deps.db.ledgerEntry.count({ where: { organizationId: shop.orgId } });

  it('a refund of a spent top-up appears as an open shortfall and as a SHORTFALL attention item', async () => {
    const { shop, paymentId, refundId } = await shortfallOf(100);
    expect(await list(shop, true)).toEqual([{
      id: refundId, paymentId, status: 'SUCCEEDED', amount: '500.00', shortfall: '400.00', shortfallResolution: null, shortfallNote: null, shortfallDebited: '0.00', shortfallResolvedAt: null,
    }]);
    expect(await list(shop, false)).toEqual([]);
    expect((await list(shop)).map((r: { id: string }) => r.id)).toEqual([refundId]);
    const items = (await t.gql(ITEMS, {}, shop.token)).body.data.attentionItems.edges.map((e: { node: unknown }) => e.node);
    expect(items).toEqual([expect.objectContaining({ kind: 'SHORTFALL', paymentId, refundId, resolvedAt: null, evidence: expect.objectContaining({ shortfall: '400.00', amount: '500.00', currency: 'RUB' }) })]);
    expect(await t.deps.db.outbox.count({ where: { organizationId: shop.orgId, kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'ATTENTION_NEEDED' } } })).toBe(1);
  });

  it('DEBITED takes only what the balance holds now, the rest stays open; two racing DEBITED debit once', async () => {
    const { shop, paymentId, refundId } = await shortfallOf(100);
    await adjust(shop, '150.00');
    const before = await ledgerCount(shop);
    const [a, b] = await Promise.all([resolve(shop, refundId, 'DEBITED', 'took what was there'), resolve(shop, refundId, 'DEBITED', 'took what was there')]);
    const answers = [a, b];
    const won = answers.filter((r) => r.body.data?.resolveShortfall);
    expect(won).toHaveLength(1);
    expect(answers.filter((r) => r.body.errors?.[0].extensions?.code === 'CONFLICT')).toHaveLength(1);
    expect(won[0].body.data.resolveShortfall).toMatchObject({ shortfall: '250.00', shortfallDebited: '150.00', shortfallResolution: 'DEBITED', shortfallNote: 'took what was there', shortfallResolvedAt: null });
    expect(await balanceOf(t, shop)).toBe('0.00');
    expect(await ledgerCount(shop)).toBe(before + 1);
    const entry = await t.deps.db.ledgerEntry.findFirstOrThrow({ where: { organizationId: shop.orgId, idempotencyKey: `shortfall-debit:${refundId}` } });
    expect([entry.kind, entry.amount.toFixed(2), entry.balanceAfter.toFixed(2), entry.paymentId]).toEqual(['REFUND', '-150.00', '0.00', paymentId]);
    const inv = await ledgerInvariant(t, shop);
    expect(inv.balance).toBe(inv.sum);
    // partners hear of it, in the same transaction
    const events = await t.deps.db.outbox.findMany({ where: { organizationId: shop.orgId, kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'BALANCE_ADJUSTED' } } });
    expect(events.map((e) => (e.payload as any).message.data).filter((m: any) => m.refundId === refundId)).toEqual([
      expect.objectContaining({ clientId: shop.clientId, amount: '-150.00', balanceAfter: '0.00', refundId, paymentId, shortfall: '250.00' }),
    ]);
    // still open for the rest; the item too
    expect((await list(shop, true)).map((r: { id: string }) => r.id)).toEqual([refundId]);
    // a later DEBITED, with money on the balance again, never debits a second time
    await adjust(shop, '300.00');
    expect((await resolve(shop, refundId, 'DEBITED')).body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/already debited/) });
    expect(await balanceOf(t, shop)).toBe('300.00');
    // the rest written off: closed, and its attention item with it
    const off = await resolve(shop, refundId, 'WRITTEN_OFF', 'not worth chasing');
    expect(off.body.data.resolveShortfall).toMatchObject({ shortfall: '250.00', shortfallDebited: '150.00', shortfallResolution: 'WRITTEN_OFF', shortfallNote: 'not worth chasing', shortfallResolvedAt: expect.any(String) });
    expect(await list(shop, true)).toEqual([]);
    expect((await list(shop, false)).map((r: { id: string }) => r.id)).toEqual([refundId]);
    const item = await t.deps.db.attentionItem.findFirstOrThrow({ where: { organizationId: shop.orgId, kind: 'SHORTFALL', refundId } });
    expect([item.resolvedAt !== null, item.note]).toEqual([true, 'not worth chasing']);
    const history = (await t.gql(SEED_STATUS, { transactionId: paymentId }, shop.token)).body.data.payment.history;
    expect(history.slice(-2).map((h: { reason: string }) => h.reason)).toEqual([
      expect.stringMatching(/150.00 RUB debited from the balance; 250.00 still short: took what was there/),
      expect.stringMatching(/resolved: WRITTEN_OFF: not worth chasing/),
    ]);
  });

  it('DEBITED that the balance covers closes the shortfall', async () => {
    const { shop, refundId } = await shortfallOf(0);
    await adjust(shop, '700.00');
    const res = await resolve(shop, refundId, 'DEBITED');
    expect(res.body.data.resolveShortfall).toMatchObject({ shortfall: '0.00', shortfallDebited: '500.00', shortfallResolvedAt: expect.any(String) });
    expect(await balanceOf(t, shop)).toBe('200.00');
    expect(await list(shop, true)).toEqual([]);
    expect((await list(shop)).map((r: { id: string }) => r.id)).toEqual([refundId]);
  });

  it('COLLECTED closes it; resolving a closed shortfall again is CONFLICT and writes nothing', async () => {
    const { shop, refundId } = await shortfallOf(100);
    const res = await resolve(shop, refundId, 'COLLECTED', 'cash at the desk');
    expect(res.body.data.resolveShortfall).toMatchObject({ shortfall: '400.00', shortfallResolution: 'COLLECTED', shortfallDebited: '0.00', shortfallResolvedAt: expect.any(String) });
    const row = await refundRow(refundId);
    const ledger = await ledgerCount(shop);
    for (const how of ['COLLECTED', 'WRITTEN_OFF', 'DEBITED']) {
      const again = await resolve(shop, refundId, how, 'again');
      expect(again.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/already resolved/) });
    }
    expect(await refundRow(refundId)).toEqual(row);
    expect(await ledgerCount(shop)).toBe(ledger);
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const { shop, paymentId, refundId } = await shortfallOf(100);
    const row = await refundRow(refundId);
    expect((await resolve(shop, refundId, 'COLLECTED', 'x'.repeat(2001))).body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/note must be at most 2000/) });
    expect((await resolve(shop, refundId, 'SOMEHOW')).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await resolve(shop, 'ref_doesnotexist000000000000', 'COLLECTED')).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await resolve(shop, paymentId, 'COLLECTED')).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(SHORTFALLS, { first: 0 }, shop.token)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(SHORTFALLS, { after: 'bm90IGEgY3Vyc29y' }, shop.token)).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await refundRow(refundId)).toEqual(row);
    // the DEBITED with nothing on the balance
    expect((await resolve(shop, refundId, 'DEBITED')).body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/holds nothing/) });
    expect(await refundRow(refundId)).toEqual(row);
    // the SHORTFALL item closes only through its refund
    const item = await t.deps.db.attentionItem.findFirstOrThrow({ where: { refundId } });
    const viaQueue = await t.gql('mutation($id: ID!) { resolveAttentionItem(id: $id, note: "done") { id } }', { id: item.id }, shop.token);
    expect(viaQueue.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/resolveShortfall/) });
    expect((await t.deps.db.attentionItem.findUniqueOrThrow({ where: { id: item.id } })).resolvedAt).toBeNull();
  });

  it('a caller\'s idempotency key may not take the shortfall debit\'s reserved prefix, so it cannot block a later DEBITED', async () => {
    const { shop, refundId } = await shortfallOf(0);
    const before = await ledgerCount(shop);
    for (const key of [`shortfall-debit:${refundId}`, `  shortfall-debit:${refundId}`, 'shortfall-debit:anything']) {
      const squat = await t.gql('mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { balanceAfter } }', { i: { clientId: shop.clientId, amount: '300.00', reason: 'x', idempotencyKey: key } }, shop.token);
      expect(squat.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/idempotencyKey may not start with "shortfall-debit:"/) });
      const debit = await t.gql('mutation($i: BalanceDebitInput!) { debitBalance(input: $i) { id } }', { i: { clientId: shop.clientId, amount: 1, reason: 'x', idempotencyKey: key } }, shop.token);
      expect(debit.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await ledgerCount(shop)).toBe(before);
    expect((await adjust(shop, '300.00')).body.errors).toBeUndefined();
    const res = await resolve(shop, refundId, 'DEBITED');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.resolveShortfall).toMatchObject({ shortfallDebited: '300.00', shortfall: '200.00' });
    // Traceable by its reason (its refundId column is the refund's own booking entry's: unique per refund and kind).
    const entry = await t.deps.db.ledgerEntry.findFirstOrThrow({ where: { organizationId: shop.orgId, idempotencyKey: `shortfall-debit:${refundId}` } });
    expect(entry).toMatchObject({ kind: 'REFUND', reason: expect.stringContaining(refundId), refundId: null });
  });

  it('a refund the balance covered has no shortfall to resolve', async () => {
    const shop = await makeShop(t, { clientId: `client_${Math.random().toString(36).slice(2, 10)}` });
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 100 });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => balanceOf(t, shop), (b) => b === '100.00');
    const { refundId } = (await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { refundId } }', { i: { transactionId } }, shop.token)).body.data.refundPayment;
    await waitFor(() => balanceOf(t, shop), (b) => b === '0.00');
    const res = await resolve(shop, refundId, 'WRITTEN_OFF');
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: `refund ${refundId} has no shortfall` });
    expect(await list(shop)).toEqual([]);
    expect((await refundRow(refundId)).shortfallResolution).toBeNull();
  });

  it('a VIEWER lists but may not resolve; other organizations and the other environment see and change nothing', async () => {
    const { shop, refundId } = await shortfallOf(100);
    await adjust(shop, '50.00');
    const row = await refundRow(refundId);
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await list(shop, true, viewer.token)).map((r: { id: string }) => r.id)).toEqual([refundId]);
    const refused = await resolve(shop, refundId, 'DEBITED', undefined, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    // the LIVE key of the same organization: another environment
    expect(await list(shop, undefined, shop.liveToken)).toEqual([]);
    expect((await resolve(shop, refundId, 'DEBITED', undefined, shop.liveToken)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // another organization
    const other = await makeShop(t);
    expect(await list(other)).toEqual([]);
    expect((await resolve(other, refundId, 'WRITTEN_OFF', undefined, other.token)).body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await refundRow(refundId)).toEqual(row);
    expect(await balanceOf(t, shop)).toBe('50.00');
  });

  it('pages newest first with a cursor', async () => {
    const { shop, refundId: older } = await shortfallOf(100);
    // a second shortfall for the same client: top up, spend, refund again
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 200 });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => balanceOf(t, shop), (b) => b === '200.00');
    await t.gql('mutation { debitBalance(input: { clientId: "CLIENT", amount: 200, reason: "visits" }) { id } }'.replace('CLIENT', shop.clientId), {}, shop.token);
    const { refundId: newer } = (await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { refundId } }', { i: { transactionId } }, shop.token)).body.data.refundPayment;
    await waitFor(() => list(shop, true), (l) => l.length === 2);
    const first = (await t.gql(SHORTFALLS, { open: true, first: 1 }, shop.token)).body.data.shortfalls;
    expect([first.edges[0].node.id, first.pageInfo.hasNextPage]).toEqual([newer, true]);
    const next = (await t.gql(SHORTFALLS, { open: true, first: 1, after: first.pageInfo.endCursor }, shop.token)).body.data.shortfalls;
    expect([next.edges[0].node.id, next.pageInfo.hasNextPage]).toEqual([older, false]);
  });
});

// The back office's payments list over the real schema and Postgres: filters, order, keyset
// pages that neither skip nor repeat while payments arrive, totals of the whole filtered set,
// typed refusals of bad input, and nothing of another environment or organization.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

const LIST = `query($filter: PaymentFilter, $orderBy: PaymentOrder, $first: Int, $after: String) {
  payments(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id status amount clientId createdAt confirmedAt note restrictRefund deleted tags } }
    pageInfo { hasNextPage endCursor }
  } }`;
const TOTALS = 'query($filter: PaymentFilter) { payments(filter: $filter, first: 1) { totalCount totals { status currency count amount } } }';

describe('payments(filter, orderBy, first, after)', () => {
  let t: TestApp;
  let shop: Shop;
  const ids: string[] = [];

  const list = async (variables: Record<string, unknown>, token = shop.token) => {
    const res = await t.gql(LIST, variables, token);
    if (res.body.errors) throw Object.assign(new Error(JSON.stringify(res.body.errors)), { errors: res.body.errors });
    return res.body.data.payments as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
  const idsOf = async (filter: Record<string, unknown>) => (await list({ filter, first: 100 })).edges.map((e) => e.node.id).sort();
  const errorOf = async (variables: Record<string, unknown>) => {
    const res = await t.gql(LIST, variables, shop.token);
    return [res.body.errors?.[0]?.extensions?.code, res.body.errors?.[0]?.message];
  };
  /** Every page, following cursors. */
  async function walk(variables: Record<string, unknown>, first: number) {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page = await list({ ...variables, first, after });
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  }

  beforeAll(async () => {
    t = await startTestApp('paymentslist');
    shop = await makeShop(t);
    await t.gql('mutation { upsertClient(input: { id: "client_two", clubId: "club_abc123", name: "Two" }) { id } }', {}, shop.token);
    const amounts = ['100.00', '250.50', '250.50', '999.99', '10.00', '500.00'];
    for (const [i, amount] of amounts.entries()) {
      const { transactionId } = await topUp(t, shop, { amount, clientId: i % 2 ? 'client_two' : shop.clientId, description: i === 3 ? 'Membership for MAY' : `top-up ${i}` });
      ids.push(transactionId);
    }
    // States set straight in the table: this suite is about reading them.
    const day = 86_400_000;
    await t.deps.db.payment.update({ where: { id: ids[0] }, data: { status: 'CONFIRMED', confirmedAt: new Date(Date.now() - 2 * day), createdAt: new Date(Date.now() - 3 * day), gatewayTransactionId: 'txn_list_0' } });
    await t.deps.db.payment.update({ where: { id: ids[1] }, data: { status: 'CONFIRMED', confirmedAt: new Date(), gatewayTransactionId: 'txn_list_1', restrictRefund: true } });
    await t.deps.db.payment.update({ where: { id: ids[2] }, data: { status: 'FAILED', note: 'Called the client: CARD blocked', externalNumber: 'INV-2026-77' } });
    await t.deps.db.payment.update({ where: { id: ids[3] }, data: { status: 'REFUNDED', confirmedAt: new Date(Date.now() - day), refundedAmount: '999.99', gatewayTransactionId: 'txn_list_3' } });
    await t.deps.db.payment.update({ where: { id: ids[4] }, data: { status: 'CANCELLED', deletedAt: new Date(), tags: ['desk'] } });
    await t.deps.db.refund.create({ data: { id: 'ref_list00000000000000000001', organizationId: shop.orgId, environment: 'TEST', paymentId: ids[3], amount: '999.99', shortfall: '120.00', status: 'SUCCEEDED', actor: 'test' } });
    // the same createdAt for two payments: the tie is broken by id
    const tie = new Date(Date.now() - 5 * 60_000);
    await t.deps.db.payment.updateMany({ where: { id: { in: [ids[2], ids[5]] } }, data: { createdAt: tie } });
  });
  afterAll(() => t.close());

  it('newest first, ties by id, deleted ones left out, every field of the row', async () => {
    const page = await list({});
    const shown = page.edges.map((e) => e.node.id);
    expect(shown).not.toContain(ids[4]);
    const rows = await t.deps.db.payment.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', deletedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(shown).toEqual(rows.map((r) => r.id));
    expect(page.edges.find((e) => e.node.id === ids[2])!.node).toMatchObject({ status: 'FAILED', amount: '250.50', note: 'Called the client: CARD blocked', restrictRefund: false, deleted: false, tags: [] });
  });

  it.each([
    ['status, several at once', { status: ['CONFIRMED', 'REFUNDED'] }, [0, 1, 3]],
    ['client', { clientId: 'client_two' }, [1, 3, 5]],
    ['amount from/to, both ends included', { amountFrom: '250.50', amountTo: '999.99' }, [1, 2, 3, 5]],
    ['paid from', { paidFrom: new Date(Date.now() - 36 * 3_600_000).toISOString() }, [1, 3]],
    ['created before', { createdTo: new Date(Date.now() - 86_400_000).toISOString() }, [0]],
    ['restrict refunds', { restrictRefund: true }, [1]],
    ['has a shortfall', { hasShortfall: true }, [3]],
    ['deleted only', { deleted: true }, [4]],
    ['number: a gateway transaction id, exactly', { number: 'txn_list_3' }, [3]],
    ['number: wildcards', { number: 'txn_list_*' }, [0, 1, 3]],
    ['number: an external number', { number: 'INV-*-77' }, [2]],
    ['text in description or note, any case', { text: 'card' }, [2]],
    ['text: % and _ match themselves', { text: '%' }, []],
    ['currency', { currency: 'rub', status: ['FAILED'] }, [2]],
    ['gateway type', { gatewayType: 'CRYPTOCLOUD' }, []],
    ['today (organization time zone)', { period: 'TODAY', status: ['CONFIRMED'] }, [1]],
  ])('filter: %s', async (_label, filter, expected) => {
    expect(await idsOf(filter)).toEqual(expected.map((i) => ids[i]).sort());
  });

  it('number: Paygate\'s own id, exactly and by prefix', async () => {
    expect(await idsOf({ number: ids[5] })).toEqual([ids[5]]);
    expect(await idsOf({ number: `${ids[5].slice(0, 12)}*` })).toContain(ids[5]);
  });

  it('ids, with the other filters ANDed', async () => {
    expect(await idsOf({ ids: [ids[0], ids[1], ids[4]], status: ['CONFIRMED'] })).toEqual([ids[0], ids[1]].sort());
  });

  it('totals and the count are of the whole filtered set, not of the page', async () => {
    const res = await t.gql(TOTALS, { filter: { clientId: 'client_two' } }, shop.token);
    expect(res.body.data.payments).toEqual({
      totalCount: 3,
      totals: [
        { status: 'PENDING', currency: 'RUB', count: 1, amount: '500.00' },
        { status: 'CONFIRMED', currency: 'RUB', count: 1, amount: '250.50' },
        { status: 'REFUNDED', currency: 'RUB', count: 1, amount: '999.99' },
      ], // in the statuses' own order
    });
  });

  it.each([
    ['CREATED_AT', 'DESC'], ['CREATED_AT', 'ASC'], ['AMOUNT', 'ASC'], ['AMOUNT', 'DESC'], ['PAID_AT', 'DESC'], ['PAID_AT', 'ASC'], ['STATUS', 'ASC'],
  ])('pages by %s %s visit every payment once, in order', async (field, direction) => {
    const all = (await list({ orderBy: { field, direction }, first: 100 })).edges.map((e) => e.node.id);
    expect(all).toHaveLength(5);
    expect(await walk({ orderBy: { field, direction } }, 2)).toEqual(all);
    const amounts = (await list({ orderBy: { field, direction }, first: 100 })).edges.map((e) => Number(e.node.amount));
    if (field === 'AMOUNT') expect(amounts).toEqual([...amounts].sort((a, b) => (direction === 'ASC' ? a - b : b - a)));
  });

  it('a page cursor holds while payments arrive: nothing skipped, nothing twice', async () => {
    const first = await list({ first: 2 });
    const fresh = await topUp(t, shop, { amount: '1.00' });
    const seen = first.edges.map((e) => e.node.id);
    let after = first.pageInfo.endCursor;
    for (;;) {
      const page = await list({ first: 2, after });
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).not.toContain(fresh.transactionId); // newer than the first page: not in later ones
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([ids[0], ids[1], ids[2], ids[3], ids[5]].sort());
    await t.deps.db.payment.update({ where: { id: fresh.transactionId }, data: { deletedAt: new Date() } });
  });

  it.each([
    ['a cursor this API did not give', { after: 'bm9wZQ' }, /after is not a cursor/],
    ['a cursor of another order', { after: 'ORDER_CURSOR', orderBy: { field: 'CREATED_AT', direction: 'DESC' } }, /after is not a cursor/],
    ['amounts the wrong way round', { filter: { amountFrom: '10', amountTo: '1' } }, /amountFrom must not be after amountTo/],
    ['dates the wrong way round', { filter: { createdFrom: '2026-12-02T00:00:00Z', createdTo: '2026-12-01T00:00:00Z' } }, /createdFrom must not be after/],
    ['a period and dates', { filter: { period: 'TODAY', createdFrom: '2026-12-01T00:00:00Z' } }, /period or createdFrom/],
    ['no status at all', { filter: { status: [] } }, /at least one status/],
    ['a negative amount', { filter: { amountFrom: '-1' } }, /non-negative/],
    ['an empty number', { filter: { number: '  ' } }, /number must not be empty/],
    ['a long text', { filter: { text: 'x'.repeat(129) } }, /at most 128/],
    ['a bad currency', { filter: { currency: 'RUBLES' } }, /ISO 4217/],
    ['too many ids', { filter: { ids: Array.from({ length: 501 }, (_, i) => `pay_${i}`) } }, /at most 500/],
    ['a page too large', { first: 101 }, /first must be between 1 and 100/],
    ['a forged cursor with a status that does not exist', { after: Buffer.from('["STATUS","FOO","pay_a"]').toString('base64url'), orderBy: { field: 'STATUS', direction: 'ASC' } }, /after is not a cursor/],
    ['a forged cursor with a loose date', { after: Buffer.from('["CREATED_AT","foo 1","pay_a"]').toString('base64url') }, /after is not a cursor/],
  ])('refuses %s with a typed error', async (_label, variables, message) => {
    let v = variables as Record<string, unknown>;
    if (v.after === 'ORDER_CURSOR') {
      const amountPage = await list({ orderBy: { field: 'AMOUNT', direction: 'ASC' }, first: 1 });
      v = { ...v, after: amountPage.pageInfo.endCursor };
    }
    const [code, text] = await errorOf(v);
    expect(code).toBe('BAD_USER_INPUT');
    expect(text).toMatch(message);
  });

  it('what looks like SQL in a search is only text', async () => {
    expect(await idsOf({ text: "'; DROP TABLE \"Payment\"; --" })).toEqual([]);
    expect(await idsOf({ number: "*' OR '1'='1" })).toEqual([]);
    expect(await t.deps.db.payment.count({ where: { organizationId: shop.orgId } })).toBeGreaterThan(5);
  });

  it('a LIVE key of the same organization lists none of the TEST payments; a VIEWER may list', async () => {
    expect((await list({ first: 100 }, shop.liveToken)).edges).toEqual([]);
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await list({ first: 100 }, viewer.token)).edges.length).toBeGreaterThan(0);
  });

  it('payment(id) shows the back-office fields too', async () => {
    const res = await t.gql('query($id: ID!) { payment(id: $id) { id note restrictRefund externalNumber deleted tags } }', { id: ids[4] }, shop.token);
    expect(res.body.data.payment).toEqual({ id: ids[4], note: null, restrictRefund: false, externalNumber: null, deleted: true, tags: ['desk'] });
  });
});

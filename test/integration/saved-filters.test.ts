// Saved payment filters and a key's default filter over real HTTP and Postgres: the round trip, the
// same name replacing, the AND with the list's own filter, the limit (also under concurrent saves),
// typed refusals that write nothing, roles, and nothing across organizations or environments.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

const SAVE = 'mutation($name: String!, $filter: PaymentFilter!) { savePaymentFilter(name: $name, filter: $filter) { id name filter createdAt updatedAt } }';
const FILTERS = '{ paymentFilters { id name filter } }';
const LIST = 'query($filter: PaymentFilter) { payments(filter: $filter, first: 100) { totalCount totals { status count amount } edges { node { id status } } } }';
const SET_DEFAULT = 'mutation($filter: PaymentFilter, $reset: Boolean) { setDefaultPaymentFilter(filter: $filter, reset: $reset) }';

describe('saved payment filters', () => {
  let t: TestApp;
  let shop: Shop;
  let other: Shop;
  const ids: string[] = [];

  const ok = async <T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> => {
    const res = await t.gql(query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data as T;
  };
  const refusal = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await t.gql(query, variables, token);
    return { code: res.body.errors?.[0]?.extensions?.code, message: res.body.errors?.[0]?.message, status: res.status };
  };
  const listed = async (filter: Record<string, unknown> | null, token = shop.token) => {
    const { payments } = await ok<{ payments: { totalCount: number; totals: { status: string; count: number; amount: string }[]; edges: { node: { id: string } }[] } }>(LIST, { filter }, token);
    return { ids: payments.edges.map((e) => e.node.id).sort(), totalCount: payments.totalCount, totals: payments.totals };
  };
  const savedRows = (orgId = shop.orgId) => t.deps.db.savedPaymentFilter.findMany({ where: { organizationId: orgId }, orderBy: { name: 'asc' } });

  beforeAll(async () => {
    t = await startTestApp('savedfilters');
    shop = await makeShop(t);
    other = await makeShop(t);
    for (const amount of ['100.00', '200.00', '300.00', '400.00']) ids.push((await topUp(t, shop, { amount, description: `top-up ${amount}` })).transactionId);
    await t.deps.db.payment.updateMany({ where: { id: { in: [ids[0], ids[1]] } }, data: { status: 'CONFIRMED', confirmedAt: new Date() } });
    await t.deps.db.payment.update({ where: { id: ids[2] }, data: { status: 'FAILED' } });
    await topUp(t, other, { amount: '999.00' });
  });
  afterAll(() => t.close());

  it('saves a checked, normalized filter under a trimmed name, lists it and applies it by id', async () => {
    const { savePaymentFilter: saved } = await ok(SAVE, { name: '  Paid  ', filter: { status: ['CONFIRMED', 'CONFIRMED'], currency: 'rub', amountFrom: 100 } }, shop.token);
    expect(saved).toMatchObject({ name: 'Paid', filter: { status: ['CONFIRMED'], currency: 'RUB', amountFrom: '100' } });
    expect(saved.id).toMatch(/^flt_/);
    expect((await ok(FILTERS, {}, shop.token)).paymentFilters).toEqual([{ id: saved.id, name: 'Paid', filter: saved.filter }]);
    expect((await listed({ savedFilterId: saved.id })).ids).toEqual([ids[0], ids[1]].sort());
    // the stored filter is a PaymentFilter input: it can be sent back as it is
    expect((await listed(saved.filter)).ids).toEqual([ids[0], ids[1]].sort());
  });

  it('the same name again replaces the filter, keeping the id', async () => {
    const [before] = await savedRows();
    const { savePaymentFilter: again } = await ok(SAVE, { name: 'Paid', filter: { status: ['FAILED'] } }, shop.token);
    expect(again.id).toBe(before.id);
    expect(again.filter).toEqual({ status: ['FAILED'] });
    const rows = await savedRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    await ok(SAVE, { name: 'Paid', filter: { status: ['CONFIRMED'] } }, shop.token);
  });

  it('savedFilterId is ANDed with the rest of the filter; an empty intersection is an empty list', async () => {
    const [paid] = await savedRows();
    expect((await listed({ savedFilterId: paid.id, ids: [ids[1], ids[2]] })).ids).toEqual([ids[1]]);
    expect(await listed({ savedFilterId: paid.id, status: ['FAILED'] })).toEqual({ ids: [], totalCount: 0, totals: [] });
    expect((await listed({ savedFilterId: paid.id, amountTo: '150' })).totals).toEqual([{ status: 'CONFIRMED', count: 1, amount: '100.00' }]);
  });

  it.each([
    ['an empty name', { name: '   ', filter: {} }, 'BAD_USER_INPUT', /name must not be empty/],
    ['a name over 100 characters', { name: 'x'.repeat(101), filter: {} }, 'BAD_USER_INPUT', /at most 100/],
    ['a filter the list would refuse', { name: 'bad', filter: { amountFrom: '10', amountTo: '1' } }, 'BAD_USER_INPUT', /amountFrom must not be after/],
    ['a filter naming a saved filter', { name: 'nested', filter: { savedFilterId: 'SAVED' } }, 'BAD_USER_INPUT', /cannot name another saved filter/],
    ['a filter with an unknown field', { name: 'bad', filter: { colour: 'red' } }, 'BAD_USER_INPUT', /colour/],
  ])('refuses %s with a typed error and writes nothing', async (_label, variables, code, message) => {
    const [paid] = await savedRows();
    const v = JSON.parse(JSON.stringify(variables).replace('SAVED', paid.id));
    const r = await refusal(SAVE, v, shop.token);
    expect([r.code, r.message]).toEqual([code, expect.stringMatching(message)]);
    expect((await savedRows()).map((row) => row.name)).toEqual(['Paid']);
  });

  it('a control character (a NUL) in a filter\'s id, or half an emoji in its searches, is BAD_USER_INPUT in the list, a saved filter and a default, and writes nothing', async () => {
    const before = await savedRows();
    const owner = await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: shop.orgId, environment: 'TEST', role: 'OWNER' } });
    for (const [field, filter] of [['clientId', { clientId: 'a\u0000' }], ['clubId', { clubId: 'club\u0000' }], ['gatewayId', { gatewayId: 'gw\u0000' }], ['ids', { ids: ['pay_\u0000'] }], ['savedFilterId', { savedFilterId: 'flt_\u0000' }], ['text', { text: 'half an emoji \ud83d' }], ['number', { number: '\udc00*' }]] as const) {
      for (const [query, variables] of [[LIST, { filter }], [SAVE, { name: 'nul', filter }], [SET_DEFAULT, { filter }]] as const) {
        const r = await refusal(query, variables, shop.token);
        expect([r.code, r.message]).toEqual(['BAD_USER_INPUT', expect.stringContaining(field)]);
      }
    }
    expect(await savedRows()).toEqual(before);
    expect((await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: owner.id } })).defaultPaymentFilter).toEqual(owner.defaultPaymentFilter);
  });

  it('a VIEWER may list and apply saved filters but not save one', async () => {
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const r = await refusal(SAVE, { name: 'viewer', filter: {} }, viewer.token);
    expect([r.status, r.code]).toEqual([403, 'FORBIDDEN']);
    expect(await savedRows()).toHaveLength(1);
    const { paymentFilters } = await ok(FILTERS, {}, viewer.token);
    expect(paymentFilters.map((f: { name: string }) => f.name)).toEqual(['Paid']);
    expect((await listed({ savedFilterId: paymentFilters[0].id }, viewer.token)).ids).toEqual([ids[0], ids[1]].sort());
  });

  it('another organization\'s saved filter, or another environment\'s, is NOT_FOUND, and lists none of it', async () => {
    const [paid] = await savedRows();
    for (const token of [other.token, shop.liveToken]) {
      const r = await refusal(LIST, { filter: { savedFilterId: paid.id } }, token);
      expect(r.code).toBe('NOT_FOUND');
      expect((await ok(FILTERS, {}, token)).paymentFilters).toEqual([]);
    }
    expect((await refusal(LIST, { filter: { savedFilterId: 'flt_nope' } }, shop.token)).code).toBe('NOT_FOUND');
    // B saves the same name: its own filter, A's is untouched
    const { savePaymentFilter: b } = await ok(SAVE, { name: 'Paid', filter: { status: ['PENDING'] } }, other.token);
    expect(b.id).not.toBe(paid.id);
    expect((await savedRows()).map((row) => [row.id, row.filter])).toEqual([[paid.id, { status: ['CONFIRMED'] }]]);
    expect((await refusal(LIST, { filter: { savedFilterId: b.id } }, shop.token)).code).toBe('NOT_FOUND');
  });

  it('keeps at most 100 per organization and environment, even under concurrent saves; a name at the limit may still be replaced', async () => {
    const existing = (await savedRows()).length;
    await t.deps.db.savedPaymentFilter.createMany({
      data: Array.from({ length: 98 - existing }, (_, i) => ({ id: `flt_fill${String(i).padStart(22, '0')}`, organizationId: shop.orgId, environment: 'TEST' as const, name: `fill ${i}`, filter: {} })),
    });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.gql(SAVE, { name: `race ${i}`, filter: { status: ['FAILED'] } }, shop.token)));
    expect(results.filter((r) => r.body.data?.savePaymentFilter).length).toBe(2);
    const refused = results.filter((r) => r.body.errors);
    expect(refused.map((r) => r.body.errors![0].extensions?.code)).toEqual(Array(4).fill('BAD_USER_INPUT'));
    expect(refused[0].body.errors![0].message).toMatch(/at most 100 saved filters/);
    expect(await t.deps.db.savedPaymentFilter.count({ where: { organizationId: shop.orgId, environment: 'TEST' } })).toBe(100);
    expect((await ok(SAVE, { name: 'Paid', filter: { status: ['CONFIRMED'] } }, shop.token)).savePaymentFilter.name).toBe('Paid');
    // the LIVE environment has its own hundred
    expect((await ok(SAVE, { name: 'live one', filter: {} }, shop.liveToken)).savePaymentFilter.name).toBe('live one');
    await t.deps.db.savedPaymentFilter.deleteMany({ where: { organizationId: shop.orgId, name: { startsWith: 'fill ' } } });
    await t.deps.db.savedPaymentFilter.deleteMany({ where: { organizationId: shop.orgId, name: { startsWith: 'race ' } } });
  });
});

describe('a key\'s default payment filter', () => {
  let t: TestApp;
  let shop: Shop;
  let other: Shop;
  const ids: string[] = [];

  const gqlOk = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await t.gql(query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const listed = async (token: string, filter: Record<string, unknown> | null = null) => {
    const { payments } = await gqlOk(LIST, { filter }, token);
    return { ids: payments.edges.map((e: { node: { id: string } }) => e.node.id).sort(), totalCount: payments.totalCount, totals: payments.totals };
  };
  const stored = async (tokenId: string) => (await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: tokenId } })).defaultPaymentFilter;

  beforeAll(async () => {
    // limits on, high enough for everything but the keys that test them
    t = await startTestApp('defaultfilter', { RATE_LIMIT_PER_MINUTE: '10000000' });
    shop = await makeShop(t);
    other = await makeShop(t);
    for (const amount of ['10.00', '20.00', '30.00']) ids.push((await topUp(t, shop, { amount })).transactionId);
    await t.deps.db.payment.update({ where: { id: ids[0] }, data: { status: 'CONFIRMED', confirmedAt: new Date() } });
    await t.deps.db.payment.update({ where: { id: ids[1] }, data: { status: 'FAILED', deletedAt: new Date() } });
    await topUp(t, other, { amount: '5.00' });
  });
  afterAll(() => t.close());

  it('is ANDed with every later list and its totals of that key only, read fresh each time, until reset', async () => {
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const row = await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: viewer.id } });
    expect((await listed(viewer.token)).ids).toEqual([ids[0], ids[2]].sort()); // the key is now in this process's cache
    // any role may set its own default
    expect(await gqlOk(SET_DEFAULT, { filter: { status: ['CONFIRMED', 'PENDING'], amountFrom: '15' } }, viewer.token)).toEqual({ setDefaultPaymentFilter: true });
    expect(await stored(row.id)).toEqual({ status: ['CONFIRMED', 'PENDING'], amountFrom: '15' });
    expect(await listed(viewer.token)).toEqual({ ids: [ids[2]], totalCount: 1, totals: [{ status: 'PENDING', count: 1, amount: '30.00' }] });
    expect((await listed(viewer.token, { status: ['CONFIRMED'] })).ids).toEqual([]); // ANDed: CONFIRMED and ≥ 15
    expect((await listed(shop.token)).ids).toEqual([ids[0], ids[2]].sort()); // another key of the organization is unaffected
    // a change made elsewhere (another process, the database) holds from the next request
    await t.deps.db.apiToken.update({ where: { id: viewer.id }, data: { defaultPaymentFilter: { status: ['CONFIRMED'] } } });
    expect((await listed(viewer.token)).ids).toEqual([ids[0]]);
    expect(await gqlOk(SET_DEFAULT, { reset: true }, viewer.token)).toEqual({ setDefaultPaymentFilter: true });
    expect(await stored(viewer.id)).toBeNull();
    expect((await listed(viewer.token)).ids).toEqual([ids[0], ids[2]].sort());
  });

  it('a cached key revoked since is refused by the list (its key check rides in the filters\' statement)', async () => {
    const key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await listed(key.token)).totalCount).toBe(2); // cached now
    await t.deps.db.apiToken.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    for (const query of [LIST, '{ payments(first: 500) { totalCount } }', '{ payments(filter: { savedFilterId: "flt_x" }) { totalCount } }']) {
      const res = await t.gql(query, {}, key.token);
      expect([res.status, res.body]).toEqual([401, { errors: [{ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    }
  });

  it('deleted: a default that does not say leaves the list\'s own deleted: true in force', async () => {
    await gqlOk(SET_DEFAULT, { filter: { status: ['FAILED', 'PENDING'] } }, shop.token);
    expect((await listed(shop.token, { deleted: true })).ids).toEqual([ids[1]]);
    await gqlOk(SET_DEFAULT, { filter: { deleted: false } }, shop.token);
    expect((await listed(shop.token, { deleted: true })).ids).toEqual([]); // the two say opposite things: nothing
    await gqlOk(SET_DEFAULT, { reset: true }, shop.token);
  });

  it('a stored default that today\'s checks refuse says so, and reset clears it', async () => {
    const key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    await t.deps.db.apiToken.update({ where: { id: key.id }, data: { defaultPaymentFilter: { text: 'x'.repeat(200) } } });
    const res = await t.gql(LIST, {}, key.token);
    expect([res.body.errors?.[0]?.extensions?.code, res.body.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(/this key's default filter no longer passes .*at most 128.*reset it/)]);
    await gqlOk(SET_DEFAULT, { reset: true }, key.token);
    expect((await listed(key.token)).totalCount).toBe(2);
  });

  it('may name a saved filter of its organization and environment, which then applies too', async () => {
    const saved = (await gqlOk(SAVE, { name: 'Confirmed', filter: { status: ['CONFIRMED'] } }, shop.token)).savePaymentFilter;
    await gqlOk(SET_DEFAULT, { filter: { savedFilterId: saved.id } }, shop.token);
    expect((await listed(shop.token)).ids).toEqual([ids[0]]);
    await gqlOk(SAVE, { name: 'Confirmed', filter: { status: ['PENDING'] } }, shop.token); // replaced: the default follows
    expect((await listed(shop.token)).ids).toEqual([ids[2]]);
    await gqlOk(SET_DEFAULT, { reset: true }, shop.token);
  });

  it('a default that searches (text, a wildcard number, or a saved filter that does) is charged as the scan it makes the list run', async () => {
    const PAGE = '{ payments(first: 1) { edges { node { id } } } }'; // the document alone costs 1
    const page = (token: string, query = PAGE) => fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const keyWithDefault = async (defaultPaymentFilter: Record<string, string | string[]>) => {
      const key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST', rateLimitPerMinute: 150 });
      await t.deps.db.apiToken.update({ where: { id: key.id }, data: { defaultPaymentFilter } });
      return key;
    };
    const plain = await keyWithDefault({ status: ['PENDING', 'CONFIRMED'], number: 'INV-7' }); // indexed: a page costs what it says
    for (let i = 0; i < 5; i++) expect((await page(plain.token)).status).toBe(200);
    const text = (await gqlOk(SAVE, { name: 'Searching', filter: { text: 'zz' } }, shop.token)).savePaymentFilter;
    for (const defaultFilter of [{ text: 'zz' }, { number: '*7*' }, { savedFilterId: text.id as string }] as Record<string, string>[]) {
      const key = await keyWithDefault(defaultFilter);
      const first = await page(key.token); // 1 + 100
      expect([first.status, ((await first.json()) as { errors?: unknown }).errors]).toEqual([200, undefined]);
      const second = await page(key.token); // 102 for the document, then 202: refused before anything is read
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await second.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
    }
    // what the request's own filter already paid for is not charged again
    const both = await keyWithDefault({ text: 'zz' });
    expect((await page(both.token, '{ payments(first: 1, filter: { text: "yy" }) { edges { node { id } } } }')).status).toBe(200); // 101, not 201
    expect((await page(both.token)).status).toBe(429);
  });

  it.each([
    ['a filter and reset together', { filter: { status: ['FAILED'] }, reset: true }, 'BAD_USER_INPUT', /not both/],
    ['neither', {}, 'BAD_USER_INPUT', /give a filter, or reset/],
    ['reset: false alone', { reset: false }, 'BAD_USER_INPUT', /give a filter, or reset/],
    ['a filter the list would refuse', { filter: { status: [] } }, 'BAD_USER_INPUT', /at least one status/],
    ['an unknown saved filter', { filter: { savedFilterId: 'flt_unknown' } }, 'NOT_FOUND', /savedFilterId/],
  ])('refuses %s with a typed error and changes nothing', async (_label, variables, code, message) => {
    await gqlOk(SET_DEFAULT, { filter: { clubId: 'club_abc123' } }, shop.token);
    const tokenId = (await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: shop.orgId, environment: 'TEST', role: 'OWNER' } })).id;
    const res = await t.gql(SET_DEFAULT, variables, shop.token);
    expect([res.body.errors?.[0]?.extensions?.code, res.body.errors?.[0]?.message]).toEqual([code, expect.stringMatching(message)]);
    expect(await stored(tokenId)).toEqual({ clubId: 'club_abc123' });
    await gqlOk(SET_DEFAULT, { reset: true }, shop.token);
  });

  it('cannot name another organization\'s or environment\'s saved filter', async () => {
    const theirs = (await gqlOk(SAVE, { name: 'Theirs', filter: {} }, other.token)).savePaymentFilter;
    const liveOwn = (await gqlOk(SAVE, { name: 'Live', filter: {} }, shop.liveToken)).savePaymentFilter;
    for (const id of [theirs.id, liveOwn.id]) {
      const res = await t.gql(SET_DEFAULT, { filter: { savedFilterId: id } }, shop.token);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const owner = await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: shop.orgId, environment: 'TEST', role: 'OWNER' } });
    expect(owner.defaultPaymentFilter).toBeNull();
    // and a key's default never reaches another organization's keys
    await gqlOk(SET_DEFAULT, { filter: { status: ['FAILED'] } }, shop.token);
    expect((await listed(other.token)).totalCount).toBe(1);
    await gqlOk(SET_DEFAULT, { reset: true }, shop.token);
  });
});

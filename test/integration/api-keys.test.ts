// API keys as the platform document describes them: the api-key header, key management over
// GraphQL (LIVE OWNER only, shown once, revocation effective on the next request in any process),
// per-key limits and usage counters, and the organization's profile.
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';

const KEY_FIELDS = 'id name prefix role environment createdAt expiresAt lastUsedAt revokedAt rateLimitPerMinute usage { requestsToday }';
const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { token key { ${KEY_FIELDS} } } }`;
const FORBIDDEN = [['Access to this API has been disallowed', 'FORBIDDEN']];

async function post(url: string, query: string, headers: Record<string, string>) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

describe('API keys', () => {
  let t: TestApp;
  let orgId: string;
  let live: string;
  let test: string;

  beforeAll(async () => {
    t = await startTestApp('apikeys');
    ({ orgId, token: live, testToken: test } = await makeOrg(t.deps));
  });
  afterAll(() => t.close());

  const errorsOf = (res: { body: any }) => res.body.errors?.map((e: any) => [e.message, e.extensions?.code]);

  describe('the api-key header', () => {
    it('works as Authorization: Bearer does, on /graphql and /auth/status', async () => {
      expect(await post(t.url, '{ organization { id } }', { 'api-key': live })).toMatchObject({ status: 200, body: { data: { organization: { id: orgId } } } });
      const status = await fetch(`${t.url}/auth/status`, { headers: { 'api-key': test } });
      expect([status.status, await status.json()]).toEqual([200, { status: 'OK', message: 'Your API key is valid' }]);
    });

    it.each([
      [{}, 401, 'Authorization field missing'],
      [{ 'api-key': '' }, 401, 'Authorization field missing'],
      [{ 'api-key': 'pgk_live_nope' }, 401, 'Invalid API key'],
      [{ 'api-key': 'two words' }, 401, 'Invalid API key'],
    ])('%j: %i %s', async (headers, status, message) => {
      const res = await post(t.url, '{ organization { id } }', headers as Record<string, string>);
      expect([res.status, errorsOf(res)]).toEqual([status, [[message, 'UNAUTHENTICATED']]]);
    });

    it('an expired key: "Key has expired, please renew"', async () => {
      const { id, token } = await makeToken(t.deps, orgId, 'ADMIN');
      await t.deps.db.apiToken.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const res = await post(t.url, '{ organization { id } }', { 'api-key': token });
      expect([res.status, errorsOf(res)]).toEqual([401, [['Key has expired, please renew', 'UNAUTHENTICATED']]]);
    });
  });

  describe('key management (LIVE OWNER keys only)', () => {
    it('creates a key shown once, lists it with its usage, and revokes it from the next request on', async () => {
      const created = await t.gql(CREATE, { i: { name: 'accounting', role: 'VIEWER', environment: 'TEST', rateLimitPerMinute: 50 } }, live);
      expect(created.body.errors).toBeUndefined();
      const { token, key } = created.body.data.createApiKey;
      expect(token).toMatch(/^pgk_test_[A-Za-z0-9_-]{43}$/);
      // RATE_LIMIT_PER_MINUTE=0 here (the tests' default) turns every limit off, the key's own included
      expect(key).toMatchObject({ name: 'accounting', role: 'VIEWER', environment: 'TEST', revokedAt: null, rateLimitPerMinute: 0, usage: { requestsToday: 0 } });
      expect((await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: key.id } })).rateLimitPerMinute).toBe(50);
      expect(token.startsWith(key.prefix)).toBe(true);

      for (let i = 0; i < 3; i++) expect((await t.gql('{ paymentGateways { id } }', {}, token)).status).toBe(200);
      const listed = (await t.gql(`{ apiKeys { ${KEY_FIELDS} } }`, {}, live)).body.data.apiKeys;
      expect(JSON.stringify(listed)).not.toContain(token);
      expect(listed.find((k: any) => k.id === key.id).usage).toEqual({ requestsToday: 3 });
      expect(listed.find((k: any) => k.id === key.id).lastUsedAt).not.toBeNull();
      expect(await t.deps.db.apiToken.count({ where: { tokenHash: token } })).toBe(0); // only its hash is kept

      const revoked = await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: key.id }, live);
      expect(revoked.body.data.revokeApiKey.revokedAt).toEqual(expect.any(String));
      const after = await t.gql('{ paymentGateways { id } }', {}, token);
      expect([after.status, errorsOf(after)]).toEqual([401, [['Invalid API key', 'UNAUTHENTICATED']]]);
      // revoking again keeps the first time
      const again = await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id }, live);
      expect(again.body.data.revokeApiKey.revokedAt).toBe(revoked.body.data.revokeApiKey.revokedAt);
    });

    it('a revocation holds in every process at once', async () => {
      const other = await startTestApp('apikeys2', { DATABASE_URL: t.deps.config.databaseUrl.reveal() });
      try {
        const { token, key } = (await t.gql(CREATE, { i: { name: 'crm', role: 'ADMIN', environment: 'LIVE' } }, live)).body.data.createApiKey;
        expect((await other.gql('{ organization { id } }', {}, token)).status).toBe(200);
        await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, live);
        expect((await other.gql('{ organization { id } }', {}, token)).status).toBe(401);
      } finally {
        await other.close();
      }
    });

    it.each([
      ['a TEST OWNER key', async () => test],
      ['a LIVE ADMIN key', async () => (await makeToken(t.deps, orgId, 'ADMIN')).token],
      ['a LIVE VIEWER key', async () => (await makeToken(t.deps, orgId, 'VIEWER')).token],
    ])('%s may not list, create or revoke keys, nor change the organization', async (_who, keyOf) => {
      const token = await keyOf();
      const before = await t.deps.db.apiToken.count();
      const owner = await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: orgId, role: 'OWNER', environment: 'LIVE' } });
      for (const [query, variables] of [
        ['{ apiKeys { id } }', {}],
        [CREATE, { i: { name: 'x', role: 'OWNER', environment: 'LIVE' } }],
        ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: owner.id }],
        ['mutation { updateOrganization(input: { name: "Taken over" }) { name } }', {}],
      ] as const) {
        const res = await t.gql(query, variables, token);
        expect([res.status, errorsOf(res)]).toEqual([403, FORBIDDEN]);
      }
      expect(await t.deps.db.apiToken.count()).toBe(before);
      expect((await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: owner.id } })).revokedAt).toBeNull();
      expect((await t.deps.db.organization.findUniqueOrThrow({ where: { id: orgId } })).name).not.toBe('Taken over');
    });

    it('another organization\'s key is NOT_FOUND and stays valid', async () => {
      const other = await makeOrg(t.deps, 'Other');
      const victim = await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: other.orgId } });
      const res = await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: victim.id }, live);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await t.gql('{ organization { id } }', {}, other.token)).status).toBe(200);
      const mine = (await t.gql('{ apiKeys { id } }', {}, live)).body.data.apiKeys.map((k: any) => k.id);
      expect(mine).not.toContain(victim.id);
    });

    it.each([
      [{ name: '', role: 'ADMIN', environment: 'LIVE' }, /name must not be empty/],
      [{ name: 'x', role: 'ADMIN', environment: 'LIVE', expiresAt: new Date(Date.now() - 60_000).toISOString() }, /expiresAt must be in the future/],
      [{ name: 'x', role: 'ADMIN', environment: 'LIVE', rateLimitPerMinute: 0 }, /rateLimitPerMinute must be a whole number from 1/],
      [{ name: 'x', role: 'ADMIN', environment: 'LIVE', rateLimitPerMinute: -5 }, /rateLimitPerMinute must be a whole number from 1/],
    ])('refuses %j and creates nothing', async (input, message) => {
      const before = await t.deps.db.apiToken.count();
      const res = await t.gql(CREATE, { i: input }, live);
      expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(message) });
      expect(await t.deps.db.apiToken.count()).toBe(before);
    });

    it('a key made with an expiry is refused once it passes', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const { token } = (await t.gql(CREATE, { i: { name: 'short', role: 'ADMIN', environment: 'TEST', expiresAt } }, live)).body.data.createApiKey;
      expect((await t.gql('{ organization { id } }', {}, token)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1600));
      const res = await t.gql('{ organization { id } }', {}, token);
      expect([res.status, errorsOf(res)]).toEqual([401, [['Key has expired, please renew', 'UNAUTHENTICATED']]]);
    });
  });

  describe('per-key limits (RATE_LIMIT_PER_MINUTE=100)', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp('apikeylimits', { RATE_LIMIT_PER_MINUTE: '100' });
    });
    afterAll(() => limited.close());
    const QUERY = '{ organization { id } }';
    async function untilRefused(token: string, max: number) {
      for (let i = 1; i <= max; i++) {
        const res = await post(limited.url, QUERY, { 'api-key': token });
        if (res.status !== 200) return { requests: i, res };
      }
      return { requests: max + 1, res: null };
    }

    it('a TEST key gets a tenth of the LIVE default, a key of its own limit has that, and 429 carries Retry-After', async () => {
      const org = await makeOrg(limited.deps, 'Limits');
      const own = (await limited.gql(CREATE, { i: { name: 'tiny', role: 'ADMIN', environment: 'LIVE', rateLimitPerMinute: 3 } }, org.token)).body.data.createApiKey;
      const limits = (await limited.gql('{ apiKeys { environment role name rateLimitPerMinute } }', {}, org.token)).body.data.apiKeys;
      expect(limits.map((k: any) => [k.environment, k.name, k.rateLimitPerMinute])).toEqual([
        ['LIVE', 'initial owner key', 100], ['TEST', 'initial test owner key', 10], ['LIVE', 'tiny', 3],
      ]);
      // The window is a clock minute: should it turn over mid-test, a key gets its limit once more.
      const testKey = await untilRefused(org.testToken, 25);
      expect(testKey.requests).toBeGreaterThan(3);
      expect(testKey.requests).toBeLessThanOrEqual(21);
      expect(testKey.res).toMatchObject({ status: 429, body: { errors: [{ extensions: { code: 'RATE_LIMITED' } }] } });
      expect(Number(testKey.res!.retryAfter)).toBeGreaterThanOrEqual(1);
      const tiny = await untilRefused(own.token, 10);
      expect(tiny.requests).toBeLessThanOrEqual(7);
      // other keys are not affected
      const liveKey = await untilRefused(org.token, 25);
      expect(liveKey.res).toBeNull();
      // no key may be given more than the operator's limit
      const lifted = await limited.gql(CREATE, { i: { name: 'greedy', role: 'ADMIN', environment: 'TEST', rateLimitPerMinute: 11 } }, org.token);
      expect(lifted.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'rateLimitPerMinute' }, message: expect.stringMatching(/at most 10/) });
    });
  });

  it('RATE_LIMIT_PER_MINUTE=0 turns every limit off, a key\'s own included', async () => {
    const { token } = await makeToken(t.deps, orgId, 'ADMIN', { environment: 'TEST', rateLimitPerMinute: 1 });
    for (let i = 0; i < 5; i++) expect((await post(t.url, '{ organization { id } }', { 'api-key': token })).status).toBe(200);
  });

  describe('the organization', () => {
    it('is readable by every key of it, with a business code', async () => {
      const viewer = (await makeToken(t.deps, orgId, 'VIEWER', { environment: 'TEST' })).token;
      const res = await t.gql('{ organization { id code name timeZone defaultCurrency } }', {}, viewer);
      expect(res.body.data.organization).toEqual({ id: orgId, code: expect.stringMatching(/^ORG-[0-9A-Z]{8}$/), name: expect.any(String), timeZone: 'Europe/Moscow', defaultCurrency: 'RUB' });
    });

    it('is changed by its LIVE OWNER key, with checked input', async () => {
      const ok = await t.gql('mutation { updateOrganization(input: { name: "Fitness chain", timeZone: "Asia/Yekaterinburg", defaultCurrency: "usd" }) { name timeZone defaultCurrency } }', {}, live);
      expect(ok.body.data.updateOrganization).toEqual({ name: 'Fitness chain', timeZone: 'Asia/Yekaterinburg', defaultCurrency: 'USD' });
      for (const [input, field] of [['timeZone: "Mars/Olympus"', 'timeZone'], ['defaultCurrency: "XYZ"', 'defaultCurrency'], ['name: "  "', 'name']]) {
        const res = await t.gql(`mutation { updateOrganization(input: { ${input} }) { name } }`, {}, live);
        expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
      const row = await t.deps.db.organization.findUniqueOrThrow({ where: { id: orgId } });
      expect([row.name, row.timeZone, row.defaultCurrency]).toEqual(['Fitness chain', 'Asia/Yekaterinburg', 'USD']);
    });
  });
});

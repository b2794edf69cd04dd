import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';

const QUERY = '{ paymentGateways { id } }';

describe('API keys: 401/403 exactly as docs/api.md says', () => {
  let t: TestApp;
  let orgId: string;
  let owner: string;

  beforeAll(async () => {
    t = await startTestApp('auth');
    ({ orgId, token: owner } = await makeOrg(t.deps));
  });
  afterAll(() => t.close());

  async function authStatus(authorization?: string) {
    const res = await fetch(`${t.url}/auth/status`, { headers: authorization ? { authorization } : {} });
    return { status: res.status, body: await res.json() };
  }

  it('a valid key answers OK on /auth/status and works on /graphql', async () => {
    expect(await authStatus(`Bearer ${owner}`)).toEqual({ status: 200, body: { status: 'OK', message: 'Your API key is valid' } });
    const res = await t.gql(QUERY, {}, owner);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { paymentGateways: [] } });
  });

  it('no token: 401 "Authorization field missing"', async () => {
    const res = await t.gql(QUERY, {}, null);
    expect(res.status).toBe(401);
    expect(res.body.errors).toEqual([{ message: 'Authorization field missing', extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(res.body.data).toBeUndefined();
    expect(await authStatus()).toEqual({ status: 401, body: { error: 'Authorization field missing', code: 'UNAUTHENTICATED' } });
  });

  it.each([['Bearer '], ['bearer    '], ['Bearer']])('"%s" with no token after it: 401 "Authorization field missing"', async (header) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: header },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [{ message: 'Authorization field missing', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(await authStatus(header)).toEqual({ status: 401, body: { error: 'Authorization field missing', code: 'UNAUTHENTICATED' } });
  });

  it.each([
    ['an unknown token', 'Bearer pgk_notarealtoken'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token without Bearer', 'pgk_notarealtoken'],
  ])('%s: 401 "Invalid API key"', async (_what, header) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: header },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [{ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await authStatus(header)).body).toEqual({ error: 'Invalid API key', code: 'UNAUTHENTICATED' });
  });

  it('a revoked token: 401 "Invalid API key"', async () => {
    const { id, token } = await makeToken(t.deps, orgId, 'ADMIN');
    expect((await t.gql(QUERY, {}, token)).status).toBe(200);
    await t.deps.db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    const res = await t.gql(QUERY, {}, token);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0].message).toBe('Invalid API key');
  });

  it('an expired token: 401 "Key has expired, please renew"', async () => {
    const { token } = await makeToken(t.deps, orgId, 'ADMIN', { expiresInMs: 1 });
    await new Promise((r) => setTimeout(r, 10));
    const res = await t.gql(QUERY, {}, token);
    expect(res.status).toBe(401);
    expect(res.body.errors).toEqual([{ message: 'Key has expired, please renew', extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(await authStatus(`Bearer ${token}`)).toEqual({ status: 401, body: { error: 'Key has expired, please renew', code: 'UNAUTHENTICATED' } });
  });

  it('a role too low: 403 "Access to this API has been disallowed", nothing written', async () => {
    const { token: viewer } = await makeToken(t.deps, orgId, 'VIEWER', { environment: 'TEST' });
    const res = await t.gql(
      'mutation($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id } }',
      { input: { organizationId: orgId, type: 'SANDBOX', publicId: 'pk', apiSecret: 'x' } },
      viewer,
    );
    expect(res.status).toBe(403);
    expect(res.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Access to this API has been disallowed', 'FORBIDDEN']]);
    expect(await t.deps.db.paymentGateway.count()).toBe(0);
    // a VIEWER still reads
    expect((await t.gql(QUERY, {}, viewer)).status).toBe(200);
  });

  it('ADMIN may configure gateways (the IZI prerequisite: OWNER or ADMIN)', async () => {
    const { token: admin } = await makeToken(t.deps, orgId, 'ADMIN', { environment: 'TEST' });
    const res = await t.gql(
      'mutation($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id environment } }',
      { input: { organizationId: orgId, type: 'SANDBOX', publicId: 'pk_admin', apiSecret: 'x' } },
      admin,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.configurePaymentGateway.environment).toBe('TEST');
  });

  it('records when a token was last used, in the usage flush (not by the request)', async () => {
    const { id, token } = await makeToken(t.deps, orgId, 'ADMIN');
    expect((await t.deps.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();
    await t.deps.usage.flush(); // what other tests counted
    const before = new Date();
    await t.gql(QUERY, {}, token);
    await t.deps.usage.flush();
    const { lastUsedAt } = await t.deps.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5);
  });

  it('stores only a hash of the token', async () => {
    const rows = await t.deps.db.apiToken.findMany({ where: { organizationId: orgId } });
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(owner);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
    // what is kept to show a key is its environment prefix and 7 of its 43 random characters
    expect(rows.filter((r) => owner.startsWith(r.prefix)).map((r) => [r.role, r.environment, r.prefix.length])).toEqual([['OWNER', 'LIVE', 16]]);
  });
});

describe('rate limit per token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('ratelimit', { RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 RATE_LIMITED past the limit, per token', async () => {
    const { token } = await makeOrg(t.deps);
    const { token: other } = await makeOrg(t.deps);
    // The window is a clock minute; should it turn over mid-test, the count restarts once.
    let ok = 0;
    let refused: Awaited<ReturnType<TestApp['gql']>> | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await t.gql(QUERY, {}, token);
      if (res.status === 200) ok++;
      else refused = res;
    }
    expect(ok).toBeGreaterThanOrEqual(3);
    expect(refused?.status).toBe(429);
    expect(refused?.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect((await t.gql(QUERY, {}, other)).status).toBe(200);
  });
});

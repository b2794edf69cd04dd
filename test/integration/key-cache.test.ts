// Keys are cached per process (services/auth/key-cache.ts), their revocation never: a key revoked
// anywhere — through the API of another process, the CLI, or straight in the database — is refused
// by the very next request, whatever that request asks and however it goes wrong, with the same
// answer an unknown key gets, and without Redis.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

const PAYMENT = 'query($id: ID!) { payment(id: $id) { id status amount history { toStatus } } }';
const INVALID = { errors: [{ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } }] };

async function post(url: string, token: string, body: unknown) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('cached API keys', () => {
  let a: TestApp;
  let b: TestApp;
  let shop: Shop;
  let paymentId: string;
  let gatewayTransactionId: string;

  beforeAll(async () => {
    a = await startTestApp('keycache');
    b = await startTestApp('keycache_b', { DATABASE_URL: a.deps.config.databaseUrl.reveal() });
    shop = await makeShop(a);
    paymentId = (await topUp(a, shop)).transactionId;
    gatewayTransactionId = 'txn_keycache_1';
    await a.deps.db.payment.update({ where: { id: paymentId }, data: { gatewayTransactionId } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** A fresh key that process b has used (so b holds it in its cache). */
  async function keyCachedInB() {
    const key = await makeToken(a.deps, shop.orgId, 'ADMIN', { environment: 'TEST' });
    const first = await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } });
    expect(first.body.data.payment).toMatchObject({ id: paymentId, status: 'PENDING' });
    return key;
  }

  // Every shape of request, including the ones that never reach a resolver.
  it.each([
    ['payment(id) by Paygate id', { query: PAYMENT, variables: { id: 'PAYMENT_ID' } }],
    ['payment(id) by gateway transaction id', { query: PAYMENT, variables: { id: 'txn_keycache_1' } }],
    ['payment(id) of nothing', { query: PAYMENT, variables: { id: 'pay_nope' } }],
    ['two aliased payments', { query: '{ x: payment(id: "PAYMENT_ID") { id } y: payment(id: "pay_nope") { id } }' }],
    ['payment skipped by @skip', { query: '{ payment(id: "PAYMENT_ID") @skip(if: true) { id } }' }],
    ['__typename only', { query: '{ __typename }' }],
    ['another query', { query: '{ organization { id } }' }],
    ['a mutation', { query: 'mutation { upsertClub(input: { id: "club_revoked", name: "X" }) { id } }' }],
    ['an unparsable document', { query: '{ payment(' }],
    ['an invalid document', { query: '{ nope }' }],
    ['a bad variable', { query: PAYMENT, variables: { id: 5 } }],
    ['an operationName the document lacks', { query: 'query P { payment(id: "PAYMENT_ID") { id } }', operationName: 'Nope' }],
    ['a root fragment', { query: '{ ...F } fragment F on Query { payment(id: "PAYMENT_ID") { id } }' }],
  ])('%s: revoked in the database, refused at once by the process that cached it', async (_label, request) => {
    const key = await keyCachedInB();
    await a.deps.db.apiToken.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    const body = JSON.parse(JSON.stringify(request).replaceAll('PAYMENT_ID', paymentId));
    expect(await post(b.url, key.token, body)).toEqual({ status: 401, body: INVALID });
    expect(await a.deps.db.club.count({ where: { id: 'club_revoked' } })).toBe(0);
  });

  it('revoked through the API of another process: refused by the next request, with no Redis at all', async () => {
    const key = await keyCachedInB();
    b.deps.redis.disconnect(); // revocation does not travel through Redis
    try {
      const revoked = await a.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id }, shop.liveToken);
      expect(revoked.body.errors).toBeUndefined();
      expect(await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } })).toEqual({ status: 401, body: INVALID });
    } finally {
      await b.deps.redis.connect().catch(() => undefined);
    }
  });

  it('a refused request is not counted in the key\'s usage, nor recorded as its last use', async () => {
    const key = await keyCachedInB();
    await b.deps.usage.flush();
    const before = await a.deps.db.apiToken.findUniqueOrThrow({ where: { id: key.id } });
    await a.deps.db.apiToken.update({ where: { id: key.id }, data: { revokedAt: new Date(), lastUsedAt: new Date(Date.now() - 3_600_000) } });
    expect((await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } })).status).toBe(401);
    await b.deps.usage.flush();
    const after = await a.deps.db.apiToken.findUniqueOrThrow({ where: { id: key.id } });
    expect(after.lastUsedAt!.getTime()).toBeLessThan(Date.now() - 3_000_000);
    const { timeZone } = await a.deps.db.organization.findUniqueOrThrow({ where: { id: shop.orgId } });
    const usage = await b.deps.usage.usageOf([key.id], timeZone);
    expect(usage.get(key.id)!.requestsToday).toBe(1); // the first request, made while it was live
    expect(before.lastUsedAt).not.toBeNull();
  });

  it('a key deleted from the database is refused as revoked', async () => {
    const key = await keyCachedInB();
    await a.deps.db.apiToken.delete({ where: { id: key.id } });
    expect(await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } })).toEqual({ status: 401, body: INVALID });
  });

  it('a cached key past its expiry is refused as expired, by the cache and by the row', async () => {
    const soon = await makeToken(a.deps, shop.orgId, 'ADMIN', { environment: 'TEST', expiresInMs: 1500 });
    expect((await post(b.url, soon.token, { query: PAYMENT, variables: { id: paymentId } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const expired = { status: 401, body: { errors: [{ message: 'Key has expired, please renew', extensions: { code: 'UNAUTHENTICATED' } }] } };
    expect(await post(b.url, soon.token, { query: PAYMENT, variables: { id: paymentId } })).toEqual(expired);

    // an operator moving the expiry in the row is seen too
    const key = await keyCachedInB();
    await a.deps.db.apiToken.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } })).toEqual(expired);
  });

  it('a live cached key reads exactly what a fresh one does, in its own organization and environment only', async () => {
    const key = await keyCachedInB();
    const fresh = await makeToken(a.deps, shop.orgId, 'ADMIN', { environment: 'TEST' });
    for (const id of [paymentId, gatewayTransactionId, 'pay_nope']) {
      const cached = await post(b.url, key.token, { query: PAYMENT, variables: { id } });
      expect(cached).toEqual(await post(b.url, fresh.token, { query: PAYMENT, variables: { id } }));
    }
    expect((await post(b.url, key.token, { query: PAYMENT, variables: { id: paymentId } })).body.data.payment.id).toBe(paymentId);
    // the same organization's LIVE key, cached too, does not see the TEST payment
    await post(b.url, shop.liveToken, { query: '{ __typename }' });
    expect((await post(b.url, shop.liveToken, { query: PAYMENT, variables: { id: paymentId } })).body).toEqual({ data: { payment: null } });
    // nor does another organization's
    const other = await makeShop(a, { clientId: 'client_other' });
    await post(b.url, other.token, { query: '{ __typename }' });
    expect((await post(b.url, other.token, { query: PAYMENT, variables: { id: paymentId } })).body).toEqual({ data: { payment: null } });
  });

  it('an answer whose key cannot be checked is not sent (Postgres away): 500, no data', async () => {
    const key = await keyCachedInB();
    const pool = b.deps.pg as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    const query = pool.query;
    pool.query = () => Promise.reject(new Error('connection refused'));
    try {
      const res = await post(b.url, key.token, { query: '{ __typename }' });
      expect(res.status).toBe(500);
      expect(res.body.data).toBeUndefined();
    } finally {
      pool.query = query;
    }
  });
});

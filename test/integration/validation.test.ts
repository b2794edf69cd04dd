// Bad input gets a clear, typed error and changes nothing.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';

describe('bad input', () => {
  let t: TestApp;
  let token: string;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp('validation');
    ({ token, orgId } = await makeOrg(t.deps));
  });
  afterAll(() => t.close());

  async function counts() {
    const db = t.deps.db;
    return [await db.club.count(), await db.client.count(), await db.paymentGateway.count()];
  }

  async function post(body: string, contentType = 'application/json') {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, body });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('malformed JSON: 400 BAD_USER_INPUT', async () => {
    const res = await post('{"query": "mutation { upsertClub(input: {id: \\"c\\", name: \\"n\\"}) { id } }"');
    expect(res).toEqual({ status: 400, body: { errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_USER_INPUT' } }] } });
    expect(await counts()).toEqual([0, 0, 0]);
  });

  it('a body that is not JSON at all', async () => {
    const res = await post('query=1', 'text/plain');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('a body over the limit is refused', async () => {
    const res = await post(JSON.stringify({ query: '{ paymentGateways { id } }', variables: { pad: 'x'.repeat(1_100_000) } }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a string where a String is expected gets a number', 'mutation { upsertClub(input: { id: "c1", name: 5 }) { id } }', {}],
    ['a missing required field', 'mutation { upsertClub(input: { id: "c1" }) { id } }', {}],
    ['an unknown enum value', 'mutation($o: ID!) { configurePaymentGateway(input: { organizationId: $o, type: PAYPAL, publicId: "p", apiSecret: "s" }) { id } }', {}],
    ['an unknown enum value in variables', 'mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', { i: { organizationId: 'x', type: 'PAYPAL', publicId: 'p', apiSecret: 's' } }],
    ['a wrong type in variables', 'mutation($i: ClientInput!) { upsertClient(input: $i) { id } }', { i: { id: 'c1', isActive: 'yes' } }],
    ['an unknown field', 'mutation { upsertClub(input: { id: "c1", name: "n", colour: "red" }) { id } }', {}],
    ['a syntax error', 'mutation { upsertClub(input: { id: "c1", name: "n" } { id } }', {}],
    ['a subscription (the schema has none)', 'subscription { paymentUpdated { id } }', {}],
    ['a bare subscription selection', 'subscription { __typename }', {}],
    ['a subscription beside a valid query', 'query Q { __typename } subscription S { __typename }', {}],
  ])('%s: BAD_USER_INPUT, nothing written', async (_what, query, variables) => {
    const res = await t.gql(query, variables, token);
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.errors?.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(res.body.data?.upsertClub ?? null).toBeNull();
    expect(await counts()).toEqual([0, 0, 0]);
  });

  it.each([
    ['an overlong club name', 'mutation { upsertClub(input: { id: "c1", name: "' + 'n'.repeat(201) + '" }) { id } }', /name must be at most 200 characters/],
    ['an empty club name', 'mutation { upsertClub(input: { id: "c1", name: "  " }) { id } }', /name must not be empty/],
    ['a club id with spaces', 'mutation { upsertClub(input: { id: "club one", name: "n" }) { id } }', /id must be 1-128 characters/],
    ['an overlong id', `mutation { upsertClub(input: { id: "${'c'.repeat(129)}", name: "n" }) { id } }`, /id must be 1-128 characters/],
    ['a control character', 'mutation { upsertClub(input: { id: "c1", name: "bad\\u0000name" }) { id } }', /control characters/],
    ['a bad e-mail', 'mutation { upsertClient(input: { id: "c1", email: "not-an-email" }) { id } }', /email is not an e-mail address/],
    ['a bad phone', 'mutation { upsertClient(input: { id: "c1", phone: "call me" }) { id } }', /phone is not a phone number/],
    ['an unknown club', 'mutation { upsertClient(input: { id: "c1", clubId: "club_missing" }) { id } }', /unknown club club_missing/],
    ['a page size out of range', '{ client(id: "c1") { ledger(first: 1000) { edges { cursor } } } }', /first must be between 1 and 100/],
    ['a forged cursor', '{ client(id: "c1") { ledger(after: "bm90LWEtY3Vyc29y") { edges { cursor } } } }', /after is not a cursor/],
  ])('%s: a clear BAD_USER_INPUT message, nothing written', async (_what, query, message) => {
    if (/ledger/.test(query)) await t.gql('mutation { upsertClient(input: { id: "c1" }) { id } }', {}, token);
    const before = await counts();
    const res = await t.gql(query, {}, token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0].message).toMatch(message);
    expect(await counts()).toEqual(before);
    await t.deps.db.client.deleteMany({ where: { organizationId: orgId } });
  });

  it('never echoes a mistyped secret back', async () => {
    const res = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: orgId, type: 'SANDBOX', publicId: 'p', apiSecret: 987654321987 } }, token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.body)).not.toContain('987654321987');
  });
});

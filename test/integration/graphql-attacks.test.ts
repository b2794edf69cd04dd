// The GraphQL endpoint as an attacker uses it: documents built to stall the process, to cost far
// more than they look, to echo secrets back in errors, and keys sent where logs keep them.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
function doublingChain(n: number): string {
  const frags = Array.from({ length: n }, (_, i) => `fragment F${i} on Client { ...F${i + 1} ...F${i + 1} }`);
  return `query { client(id: "client_xyz") { ...F0 } } ${frags.join(' ')} fragment F${n} on Client { balance }`;
}

describe('GraphQL limits', () => {
  let t: TestApp;
  let shop: Shop;
  beforeAll(async () => {
    t = await startTestApp('gqlattacks', { RATE_LIMIT_PER_MINUTE: '0' });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const post = async (query: string) => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  it('100 aliased reads pass; 10 000 aliases and 100 aliased gateway calls are refused at once', async () => {
    const hundred = await post(aliases(100, `client(id: "${shop.clientId}") { balance }`));
    expect(hundred.status).toBe(200);
    expect(Object.keys(hundred.body.data)).toHaveLength(100);

    const huge = aliases(10_000, `client(id: "${shop.clientId}") { balance }`);
    expect(huge.length).toBeGreaterThan(400_000);
    const refused = await post(huge);
    expect(refused.status).toBe(413);
    expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const gatewayCalls = await post(`mutation ${aliases(100, `reconcilePayment(id: "pay_x") { status }`)}`);
    expect(gatewayCalls.status).toBe(400);
    expect(gatewayCalls.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/costs 5000, more than the limit of 1000/) });
    const tooMany = await post(aliases(201, '__typename'));
    expect(tooMany.body.errors[0].message).toMatch(/more than 200 aliases/);
  });

  it('a fragment chain doubling at every link is answered at once, and never stalls the process', async () => {
    for (const n of [22, 60]) {
      const res = await post(doublingChain(n));
      expect(res.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('refuses at once what the text shows too big: many fragments, many tokens', async () => {
    const chain = (n: number) => `{ ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} paymentGateways { id } }`).join(' ')} fragment F${n} on Query { __typename }`;
    expect((await post(chain(400))).body.errors[0].message).toMatch(/more than 50 fragments/);
    expect((await post(`{ ${'client(id: "c") { ledger { edges { node { id } } } } '.repeat(250)} }`)).body.errors[0].message).toMatch(/more than 2000 tokens/);
    expect((await post(chain(40))).status).toBe(200); // a document of ordinary shape still runs
  });

  it('keeps answering gateway callbacks while it is kept busy with heavy documents', async () => {
    const { transactionId } = await topUp(t, shop);
    const sameField = `{ ${'client(id: "c") { ledger { edges { node { id } } } } '.repeat(120)} }`; // just under the token cap
    const heavy = Array.from({ length: 40 }, (_, i) => post([doublingChain(60), doublingChain(40), aliases(200, `client(id: "${shop.clientId}") { ledger(first: 5) { edges { node { amount } } } }`), sameField][i % 4]));
    const check = sendNotification(t.url, shop.gatewayId, 'check', payFields(transactionId, shop.clientId), { secret: shop.apiSecret });
    expect(await check).toEqual({ status: 200, body: { code: 0 } });
    const answered = await Promise.all(heavy);
    expect(answered.every((a) => a.status === 200 || a.body?.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
  });

  describe('no error message carries a write-only value', () => {
    const SECRET = 'sk_live_never_echo_7f3a91';
    const configure = (input: unknown) => t.gql('mutation($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id } }', { input }, shop.token);
    const base = () => ({ organizationId: shop.orgId, type: 'SANDBOX', publicId: 'pk_echo', apiSecret: SECRET });
    const VARIABLE_SECRET = 'mutation($s: String!, $o: ID!) { configurePaymentGateway(input: { organizationId: $o, type: SANDBOX, publicId: "p", apiSecret: $s }) { id } }';

    it.each([
      ['a required field missing', () => { const { type, ...rest } = base(); void type; return configure(rest); }, /type/],
      ['an unknown extra field', () => configure({ ...base(), colour: 'red' }), /colour/],
      ['a list instead of an object', () => configure([base()]), /PaymentGatewayInput/],
      ['the secret of the wrong type', () => configure({ ...base(), apiSecret: 73191 }), /apiSecret|String/],
      ['a secret in an object', () => configure({ ...base(), apiSecret: { nested: SECRET } }), /String/],
      ['a wrong enum beside the secret', () => configure({ ...base(), type: 'SANDBOXX' }), /GatewayType/],
      ['literals in the document, one of the wrong type', () => t.gql(`mutation { configurePaymentGateway(input: { organizationId: "${shop.orgId}", type: SANDBOX, publicId: "p", apiSecret: "${SECRET}", isActive: "yes" }) { id } }`, {}, shop.token), /Boolean/],
      ['a document that does not parse after the secret', () => t.gql(`mutation { configurePaymentGateway(input: { apiSecret: "${SECRET}" "${SECRET}" }) { id } }`, {}, shop.token), /Syntax Error/],
      ['a secret where a colon should be', () => t.gql(`mutation { configurePaymentGateway(input: { apiSecret "${SECRET}" }) { id } }`, {}, shop.token), /Syntax Error/],
      ['a variable of another name in the secret\'s place, a list with "; " in it', () => t.gql(VARIABLE_SECRET, { s: ['x; y', SECRET], o: shop.orgId }, shop.token), /Variable "\$s" got an invalid value; String cannot represent that value/],
      ['a variable of another name in the secret\'s place, an object with "; " in it', () => t.gql(VARIABLE_SECRET, { s: { a: 'x; y', b: SECRET }, o: shop.orgId }, shop.token), /Variable "\$s" got an invalid value; String cannot represent that value/],
    ])('%s', async (_what, send, useful) => {
      const res = await send();
      expect(res.body.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('73191');
      expect(res.body.errors?.map((e) => e.message).join(' ')).toMatch(useful);
      expect(t.logs()).not.toContain(SECRET);
    });
  });

  it('a key sent in the query string is refused and never logged', async () => {
    const res = await fetch(`${t.url}/auth/status?token=${shop.token}&api_key=${shop.token}`);
    expect(res.status).toBe(401);
    const gql = await fetch(`${t.url}/graphql?query=%7B__typename%7D&token=${shop.token}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(gql.status).toBe(401);
    expect(t.logs()).toContain('token=[redacted]');
    expect(t.logs()).not.toContain(shop.token);
  });
});

describe('in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('gqlprod', { NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => t.close());

  it('suggests no field names and allows no introspection', async () => {
    const { token } = await makeOrg(t.deps);
    const typo = await t.gql('{ paymnt(id: "x") { id } }', {}, token);
    expect(typo.body.errors?.[0].message).toMatch(/Cannot query field "paymnt"/);
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean|"payment"/);
    const enumTypo = await t.gql('query($i: PaymentGatewayInput!) { __typename } ', { i: { type: 'SANDBOXX' } }, token);
    expect(JSON.stringify(enumTypo.body)).not.toMatch(/Did you mean/);
    const intro = await t.gql('{ __schema { types { name } } }', {}, token);
    expect(intro.status).toBe(403);
    expect(intro.body).toEqual({ errors: [{ message: 'Requested endpoint is forbidden', extensions: { code: 'FORBIDDEN' } }] });
    // hidden in a fragment, or as __type: the same
    const hidden = await t.gql('query { ...F } fragment F on Query { __type(name: "Payment") { name } }', {}, token);
    expect([hidden.status, hidden.body.errors?.[0].message]).toEqual([403, 'Requested endpoint is forbidden']);
    expect((await t.gql('{ __typename }', {}, token)).body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('rate limits count cost units', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('gqlcost', { RATE_LIMIT_PER_MINUTE: '150' });
  });
  afterAll(() => t.close());

  it('a key may spend its per-minute budget in cost units, then gets 429 with Retry-After', async () => {
    const { token } = await makeOrg(t.deps);
    const { token: other } = await makeOrg(t.deps);
    const doc = aliases(100, 'client(id: "nobody") { balance }'); // costs 100
    const send = (key: string) => fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: doc }) });
    // The window is a clock minute; should it turn over between the two, the second passes too: send a third.
    let refused: Response | undefined;
    for (let i = 0; i < 3 && !refused; i++) {
      const res = await send(token);
      if (res.status === 429) refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused!.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await send(other)).status).toBe(200);
  });
});

import { getIntrospectionQuery } from 'graphql';
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { secretAad } from '../../src/services/gateways/view';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';
import { CryptoCloudSimulator } from '../simulators/cryptocloud';
import { expirePayments } from '../../src/jobs/expire-payments';
import { payFields, sendNotification } from '../helpers/callbacks';
import { makeShop, SEED_INITIATE, topUp } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';

// The seed's mutation, verbatim (izi-cloudpayments-integration.txt, Step 1).
const SEED_MUTATION = `mutation ConfigurePaymentGateway($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id type isActive publicId }}`;
const ALL_FIELDS = `{ paymentGateways { id type isActive publicId description twoStage clubIds callbackUrls createdAt updatedAt } }`;

describe('configurePaymentGateway', () => {
  let t: TestApp;
  let orgId: string;
  let token: string;
  const cp = new CloudPaymentsSimulator({ pk_your_public_id: 'your_api_secret_5f1c2a' });
  const cc = new CryptoCloudSimulator({ 'cc-api-key': 'shop_1' });

  beforeAll(async () => {
    await Promise.all([cp.start(), cc.start()]);
    t = await startTestApp('gateways', { CLOUDPAYMENTS_API_URL: cp.url, CRYPTOCLOUD_API_URL: cc.url });
    ({ orgId, testToken: token } = await makeOrg(t.deps));
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([cp.stop(), cc.stop()]);
  });

  it('runs the seed mutation and keeps the secret sealed', async () => {
    const secret = 'your_api_secret_5f1c2a';
    const res = await t.gql(SEED_MUTATION, {
      input: { organizationId: orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_your_public_id', apiSecret: secret, description: 'Main acquirer' },
    }, token);
    expect(res.status).toBe(200);
    const gw = res.body.data.configurePaymentGateway;
    expect(gw).toEqual({ id: expect.stringMatching(/^gw_/), type: 'CLOUDPAYMENTS', isActive: true, publicId: 'pk_your_public_id' });

    // the column holds ciphertext that opens only with the key and this row's id
    const row = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: gw.id } });
    expect(row.apiSecretEncrypted).not.toContain(secret);
    expect(row.apiSecretEncrypted).toMatch(/^v1\./);
    expect(t.deps.secrets.open(row.apiSecretEncrypted, secretAad(gw.id, 'apiSecret'))).toBe(secret);

    // no query can read it back
    const all = await t.gql(ALL_FIELDS, {}, token);
    expect(JSON.stringify(all.body)).not.toContain(secret);
    expect(all.body.data.paymentGateways[0].callbackUrls).toContain(`${t.url}/payments/cloudpayments/${gw.id}/pay`);
    const schema = await t.gql(getIntrospectionQuery(), {}, token);
    // Only the one-time answers of createWebhook/rotateWebhookSecret carry a secret (by design).
    const outputFields = schema.body.data.__schema.types
      .filter((ty: any) => ty.kind === 'OBJECT' && !['Mutation', 'CreateWebhookResult'].includes(ty.name))
      .flatMap((ty: any) => (ty.fields ?? []).map((f: any) => `${ty.name}.${f.name}`));
    expect(outputFields.filter((n: string) => /secret/i.test(n))).toEqual([]);

    // and it never reached the log
    expect(t.logs()).not.toContain(secret);
  });

  it('checks CloudPayments credentials with POST /test: refused ones change nothing', async () => {
    const input = { organizationId: orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_your_public_id', apiSecret: 'a-wrong-secret' };
    const before = await t.deps.db.paymentGateway.findFirst({ where: { publicId: 'pk_your_public_id' } });
    const res = await t.gql(SEED_MUTATION, { input }, token);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/refused this Public ID and API Secret; nothing was changed/) });
    expect(JSON.stringify(res.body)).not.toContain('a-wrong-secret');
    expect(cp.requests.at(-1)).toMatchObject({ path: 'test', status: 401 });
    expect(await t.deps.db.paymentGateway.findFirst({ where: { publicId: 'pk_your_public_id' } })).toEqual(before);
    const unknown = await t.gql(SEED_MUTATION, { input: { ...input, publicId: 'pk_unknown' } }, token);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.paymentGateway.count({ where: { publicId: 'pk_unknown' } })).toBe(0);
    // an inactive gateway is checked too: its callbacks still book, so its secret must be the gateway's
    const inactive = await t.gql(SEED_MUTATION, { input: { ...input, publicId: 'pk_later', isActive: false } }, token);
    expect(inactive.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.paymentGateway.count({ where: { publicId: 'pk_later' } })).toBe(0);
  });

  it('a changed secret is always checked with the gateway, even for an inactive gateway: a swapped secret cannot sign callbacks', async () => {
    const good = { organizationId: orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_your_public_id', apiSecret: 'your_api_secret_5f1c2a' };
    const gw = (await t.gql(SEED_MUTATION, { input: good }, token)).body.data.configurePaymentGateway;
    const swap = await t.gql(SEED_MUTATION, { input: { ...good, apiSecret: 'known-to-the-attacker', isActive: false } }, token);
    expect(swap.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const row = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: gw.id } });
    expect(row.isActive).toBe(true);
    expect(t.deps.secrets.open(row.apiSecretEncrypted, secretAad(gw.id, 'apiSecret'))).toBe('your_api_secret_5f1c2a');
    const body = 'TransactionId=1&Amount=1.00&Currency=RUB&Status=Completed&OperationType=Payment&GatewayName=T&InvoiceId=pay_x';
    const { createHmac } = await import('node:crypto');
    const forged = await fetch(`${t.url}/payments/cloudpayments/${gw.id}/pay`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'Content-HMAC': createHmac('sha256', 'known-to-the-attacker').update(body).digest('base64') }, body,
    });
    expect(forged.status).toBe(401);
    // the same secret again (a deactivation) needs no call to the gateway
    const calls = cp.requests.length;
    const off = await t.gql(SEED_MUTATION, { input: { ...good, isActive: false } }, token);
    expect(off.body.data.configurePaymentGateway.isActive).toBe(false);
    expect(cp.requests.length).toBe(calls);
    await t.gql(SEED_MUTATION, { input: { ...good, isActive: true } }, token);
  });

  it('checks CryptoCloud API keys with a read-only statistics call', async () => {
    const input = { organizationId: orgId, type: 'CRYPTOCLOUD', publicId: 'shop_1', apiSecret: 'not-a-key', webhookSecret: 'w' };
    const res = await t.gql(SEED_MUTATION, { input }, token);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/refused/) });
    expect(cc.requests.at(-1)).toMatchObject({ path: 'v2/invoice/merchant/statistics', status: 401 });
    expect(await t.deps.db.paymentGateway.count({ where: { type: 'CRYPTOCLOUD' } })).toBe(0);
  });

  it('calling again rotates the secret of the same gateway', async () => {
    const input = { organizationId: orgId, type: 'SANDBOX', publicId: 'pk_rotate', apiSecret: 'first-secret' };
    const first = (await t.gql(SEED_MUTATION, { input }, token)).body.data.configurePaymentGateway;
    const before = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: first.id } });
    const second = (await t.gql(SEED_MUTATION, { input: { ...input, apiSecret: 'second-secret', isActive: false } }, token)).body.data.configurePaymentGateway;
    expect(second.id).toBe(first.id);
    expect(second.isActive).toBe(false);
    const after = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: first.id } });
    expect(after.apiSecretEncrypted).not.toBe(before.apiSecretEncrypted);
    expect(t.deps.secrets.open(after.apiSecretEncrypted, secretAad(first.id, 'apiSecret'))).toBe('second-secret');
    expect(await t.deps.db.paymentGateway.count({ where: { publicId: 'pk_rotate' } })).toBe(1);
  });

  it('two first calls at once make one gateway', async () => {
    const input = { organizationId: orgId, type: 'SANDBOX', publicId: 'pk_race', apiSecret: 's' };
    const results = await Promise.all([1, 2, 3].map(() => t.gql(SEED_MUTATION, { input }, token)));
    expect(new Set(results.map((r) => r.body.data?.configurePaymentGateway.id)).size).toBe(1);
    expect(await t.deps.db.paymentGateway.count({ where: { publicId: 'pk_race' } })).toBe(1);
  });

  it('assigns clubs, and a club moves when another gateway claims it', async () => {
    const club = (id: string) => t.gql('mutation($i: ClubInput!) { upsertClub(input: $i) { id } }', { i: { id, name: id } }, token);
    await club('club_a');
    await club('club_b');
    const mutate = (publicId: string, clubIds: string[]) =>
      t.gql('mutation($input: PaymentGatewayInput!) { configurePaymentGateway(input: $input) { id clubIds } }',
        { input: { organizationId: orgId, type: 'SANDBOX', publicId, apiSecret: 's', clubIds } }, token);
    const g1 = (await mutate('pk_clubs_1', ['club_a', 'club_b', 'club_a'])).body.data.configurePaymentGateway;
    expect(g1.clubIds).toEqual(['club_a', 'club_b']);
    const g2 = (await mutate('pk_clubs_2', ['club_b'])).body.data.configurePaymentGateway;
    expect(g2.clubIds).toEqual(['club_b']);
    const list = (await t.gql('{ paymentGateways { id clubIds } }', {}, token)).body.data.paymentGateways;
    expect(list.find((g: any) => g.id === g1.id).clubIds).toEqual(['club_a']);

    const unknown = await mutate('pk_clubs_3', ['club_nope']);
    expect(unknown.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(unknown.body.errors?.[0].message).toContain('club_nope');
    expect(await t.deps.db.paymentGateway.count({ where: { publicId: 'pk_clubs_3' } })).toBe(0);
  });

  it.each([
    [{ type: 'CRYPTOCLOUD' }, /needs webhookSecret/],
    [{ type: 'CRYPTOCLOUD', webhookSecret: 'w', twoStage: true }, /no two-stage/],
    [{ type: 'CLOUDPAYMENTS', webhookSecret: 'w' }, /webhookSecret is not used/],
    [{ type: 'SANDBOX', publicId: '   ' }, /publicId must not be empty/],
    [{ type: 'SANDBOX', apiSecret: '' }, /apiSecret must not be empty/],
    [{ type: 'SANDBOX', publicId: 'x'.repeat(201) }, /publicId must be at most 200 characters/],
    [{ type: 'SANDBOX', description: 'd'.repeat(501) }, /description must be at most 500/],
    [{ type: 'SANDBOX', clubIds: ['has space'] }, /clubIds must be/],
  ])('refuses %j with a clear BAD_USER_INPUT and writes nothing', async (patch, message) => {
    const before = await t.deps.db.paymentGateway.count();
    const res = await t.gql(SEED_MUTATION, { input: { organizationId: orgId, publicId: 'pk_bad', apiSecret: 'sec', ...patch } }, token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0].message).toMatch(message);
    expect(await t.deps.db.paymentGateway.count()).toBe(before);
  });

  it('stores a CryptoCloud postback secret sealed apart from the API key', async () => {
    const res = await t.gql(SEED_MUTATION, {
      input: { organizationId: orgId, type: 'CRYPTOCLOUD', publicId: 'shop_1', apiSecret: 'cc-api-key', webhookSecret: 'cc-postback-secret' },
    }, token);
    const id = res.body.data.configurePaymentGateway.id;
    const row = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id } });
    expect(t.deps.secrets.open(row.webhookSecretEncrypted!, secretAad(id, 'webhookSecret'))).toBe('cc-postback-secret');
    expect(row.webhookSecretEncrypted).not.toContain('cc-postback-secret');
    const listed = await t.gql(ALL_FIELDS, {}, token);
    expect(listed.body.data.paymentGateways.find((g: any) => g.id === id).callbackUrls).toEqual([`${t.url}/payments/cryptocloud/${id}/postback`]);
  });

  it('an organizationId other than the key\'s is FORBIDDEN', async () => {
    const other = await makeOrg(t.deps, 'Other');
    const res = await t.gql(SEED_MUTATION, { input: { organizationId: other.orgId, type: 'SANDBOX', publicId: 'pk_x', apiSecret: 's' } }, token);
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.deps.db.paymentGateway.count({ where: { organizationId: other.orgId } })).toBe(0);
  });
});

describe('with SANDBOX_ENABLED=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('nosandbox', { SANDBOX_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('refuses SANDBOX gateways and serves no sandbox pages', async () => {
    const { orgId, token } = await makeOrg(t.deps);
    const res = await t.gql(SEED_MUTATION, { input: { organizationId: orgId, type: 'SANDBOX', publicId: 'pk', apiSecret: 's' } }, token);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/SANDBOX gateway is disabled/) });
    for (const [method, path] of [['GET', '/sandbox/checkout/pay_x'], ['POST', '/sandbox/api/test']]) {
      const res = await fetch(`${t.url}${path}`, { method });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 403, body: { error: 'Requested endpoint is forbidden', code: 'FORBIDDEN' } });
    }
  });

  it('leaves SANDBOX gateways configured before unusable: not chosen, callbacks refused, and the API says why', async () => {
    const before = await startTestApp('sandboxon', {}, { workers: true });
    const shop = await makeShop(before);
    const open = await topUp(before, shop);
    const paid = await topUp(before, shop);
    await sendNotification(before.url, shop.gatewayId, 'pay', payFields(paid.transactionId, shop.clientId), { secret: shop.apiSecret });
    await waitFor(() => before.deps.db.ledgerEntry.count({ where: { paymentId: paid.transactionId } }), (n) => n === 1);
    await before.close();

    const off = await startTestApp('sandboxoff', { SANDBOX_ENABLED: 'false', DATABASE_URL: before.deps.config.databaseUrl.reveal() });
    try {
      const initiate = await off.gql(SEED_INITIATE, { input: { clientId: shop.clientId, clubId: shop.clubId, amount: 5 } }, shop.token);
      expect(initiate.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/SANDBOX_ENABLED=false/) });

      const pay = await sendNotification(off.url, shop.gatewayId, 'pay', payFields(open.transactionId, shop.clientId), { secret: shop.apiSecret });
      expect(pay).toEqual({ status: 403, body: expect.objectContaining({ error: 'Requested endpoint is forbidden', reason: expect.stringMatching(/SANDBOX_ENABLED=false/) }) });
      expect((await off.deps.db.payment.findUniqueOrThrow({ where: { id: open.transactionId } })).status).toBe('PENDING');

      const refund = await off.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success } }', { i: { transactionId: paid.transactionId } }, shop.token);
      expect(refund.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/disabled on this server/) });
      expect(await off.deps.db.refund.count()).toBe(0);

      // nothing can pay it any more: expiry closes it without asking the (absent) gateway
      await off.deps.db.payment.update({ where: { id: open.transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expirePayments(off.deps);
      expect(await off.deps.db.payment.findUniqueOrThrow({ where: { id: open.transactionId } })).toMatchObject({ status: 'CANCELLED', failureCode: 'EXPIRED' });
    } finally {
      await off.close();
    }
  });
});

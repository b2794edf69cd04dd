// initiateTopUpPayment: gateway selection, idempotency, and bad input that writes nothing.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, SEED_INITIATE, topUp, type Shop } from '../helpers/fixtures';

describe('initiateTopUpPayment', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('initiate');
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const initiate = (input: Record<string, unknown>, token = shop.token) =>
    t.gql(SEED_INITIATE, { input: { clientId: shop.clientId, clubId: shop.clubId, amount: 500, ...input } }, token);

  it('the same idempotencyKey and input returns the first result; other input is a CONFLICT', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => initiate({ idempotencyKey: 'topup-42' })));
    const ids = new Set(results.map((r) => r.body.data.initiateTopUpPayment.transactionId));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.body.data.initiateTopUpPayment)).toEqual(Array(12).fill(results[0].body.data.initiateTopUpPayment));
    const conflict = await initiate({ idempotencyKey: 'topup-42', amount: 501 });
    expect(conflict.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringContaining('topup-42') });
    expect(await t.deps.db.payment.count({ where: { idempotencyKey: 'topup-42' } })).toBe(1);
  });

  it.each([
    ['"1e400"', { amount: '1e400' }, /Decimal must be/],
    ['-1', { amount: -1 }, /greater than zero/],
    ['0', { amount: 0 }, /greater than zero/],
    ['"12.345" RUB', { amount: '12.345' }, /more than 2 decimal places/],
    ['an absurd amount', { amount: '1000000000000' }, /too large/],
    ['NaN', { amount: 'NaN' }, /Decimal must be/],
    ['a boolean amount', { amount: true }, /Decimal must be/],
    ['an unknown currency', { currency: 'XYZ' }, /unsupported currency/],
    ['a currency other than the balance\'s', { currency: 'USD' }, /keeps a RUB balance/],
    ['an unknown club', { clubId: 'club_nowhere' }, /club club_nowhere not found/],
    ['a returnUrl that is not a URL', { returnUrl: 'javascript:alert(1)' }, /returnUrl must be an http\(s\) URL/],
    ['an overlong description', { description: 'd'.repeat(501) }, /description must be at most 500/],
  ])('%s: BAD_USER_INPUT, nothing written', async (_what, patch, message) => {
    const before = await t.deps.db.payment.count();
    const res = await initiate(patch);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0].message).toMatch(message);
    expect(await t.deps.db.payment.count()).toBe(before);
  });

  it('an unknown client is NOT_FOUND, as in every mutation, and nothing is written', async () => {
    const before = await t.deps.db.payment.count();
    const res = await initiate({ clientId: 'client_nobody' });
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' }, message: expect.stringMatching(/client client_nobody not found; create it with upsertClient first/) });
    expect(await t.deps.db.payment.count()).toBe(before);
    const debit = await t.gql('mutation { debitBalance(input: { clientId: "client_nobody", amount: 1, reason: "x" }) { id } }', {}, shop.token);
    expect(debit.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('amount literals in the query are checked too', async () => {
    const res = await t.gql(`mutation { initiateTopUpPayment(input: { clientId: "${shop.clientId}", clubId: "${shop.clubId}", amount: 1e400 }) { transactionId } }`, {}, shop.token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('uses the club\'s gateway, else the organization default, else says what is missing', async () => {
    const { orgId, testToken: token } = await makeOrg(t.deps);
    const mk = (publicId: string, clubIds: string[] = []) => t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: orgId, type: 'SANDBOX', publicId, apiSecret: 's', clubIds } }, token);
    await t.gql('mutation { a: upsertClub(input: { id: "club_a", name: "A" }) { id } b: upsertClub(input: { id: "club_b", name: "B" }) { id } upsertClient(input: { id: "c" }) { id } }', {}, token);
    const none = await t.gql(SEED_INITIATE, { input: { clientId: 'c', clubId: 'club_a', amount: 1 } }, token);
    expect(none.body.errors?.[0].message).toMatch(/no test gateway serves club club_a/);
    const clubGw = (await mk('pk_club_a', ['club_a'])).body.data.configurePaymentGateway.id;
    const defaultGw = (await mk('pk_default')).body.data.configurePaymentGateway.id;
    const gatewayOf = async (clubId: string) => {
      const r = await t.gql(SEED_INITIATE, { input: { clientId: 'c', clubId, amount: 1 } }, token);
      return (await t.deps.db.payment.findUniqueOrThrow({ where: { id: r.body.data.initiateTopUpPayment.transactionId } })).gatewayId;
    };
    expect(await gatewayOf('club_a')).toBe(clubGw);
    expect(await gatewayOf('club_b')).toBe(defaultGw);
    await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: orgId, type: 'SANDBOX', publicId: 'pk_club_a', apiSecret: 's', isActive: false } }, token);
    expect(await gatewayOf('club_a')).toBe(defaultGw);
  });

  it('cancelPayment cancels a pending payment once and refuses a paid one', async () => {
    const { transactionId, paymentUrl } = await topUp(t, shop);
    const cancel = () => t.gql('mutation($id: ID!) { cancelPayment(id: $id) { status history { toStatus } } }', { id: transactionId }, shop.token);
    expect((await cancel()).body.data.cancelPayment.status).toBe('CANCELLED');
    expect((await cancel()).body.data.cancelPayment.history.map((e: any) => e.toStatus)).toEqual(['PENDING', 'CANCELLED']);
    // the sandbox's payment page is closed too
    expect((await fetch(paymentUrl)).status).toBe(409);
    await t.deps.db.payment.update({ where: { id: transactionId }, data: { status: 'CONFIRMED' } });
    const refused = await cancel();
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/refund it instead/) });
  });
});

// One suite, run unchanged against every gateway and its simulator (test/conformance/drivers.ts):
// what Paygate guarantees does not depend on which gateway took the money.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';
import { DRIVERS, type GatewayDriver, type Payment } from './drivers';

describe.each(DRIVERS.map((d) => [d.type, d] as const))('%s conforms', (_type, driver: GatewayDriver) => {
  let t: TestApp;
  const orgs: Array<{ orgId: string; token: string; gatewayId: string }> = [];

  beforeAll(async () => {
    await driver.start();
    t = await startTestApp(`conf_${driver.type.toLowerCase()}`, driver.env(), { workers: true });
    for (const n of [1, 2] as const) {
      // TEST keys: the sandbox serves TEST only, and the drivers' Pays carry TestMode=1.
      const { orgId, testToken: token } = await makeOrg(t.deps, `Conformance ${n}`);
      const m = driver.merchant(n);
      const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: orgId, type: driver.type, publicId: m.publicId, apiSecret: m.apiSecret, ...(m.webhookSecret ? { webhookSecret: m.webhookSecret } : {}) } }, token);
      if (gw.body.errors) throw new Error(JSON.stringify(gw.body.errors));
      const gatewayId = gw.body.data.configurePaymentGateway.id;
      driver.remember(gatewayId, n);
      await t.gql('mutation { upsertClub(input: { id: "club_c", name: "C" }) { id } upsertClient(input: { id: "client_c", clubId: "club_c", email: "c@example.com" }) { id } }', {}, token);
      orgs.push({ orgId, token, gatewayId });
    }
  });
  afterAll(async () => {
    await t.close();
    await driver.stop();
  });

  const a = () => orgs[0];
  const b = () => orgs[1];
  async function initiate(amount = '50.00'): Promise<Payment> {
    const res = await t.gql('mutation($a: Decimal!) { initiateTopUpPayment(input: { clientId: "client_c", clubId: "club_c", amount: $a }) { paymentUrl transactionId expiresAt payment { status gatewayTransactionId } } }', { a: amount }, a().token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    const r = res.body.data.initiateTopUpPayment;
    expect(r.paymentUrl).toMatch(/^https?:\/\//);
    expect(r.payment.status).toBe('PENDING');
    return { id: r.transactionId, clientId: 'client_c', amount, gatewayTransactionId: r.payment.gatewayTransactionId };
  }
  const statusOf = async (id: string) => (await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status;
  const credits = (id: string) => t.deps.db.ledgerEntry.count({ where: { paymentId: id, kind: 'TOP_UP' } });

  it('initiates a top-up with a payment page', async () => {
    const p = await initiate();
    expect(p.id).toMatch(/^pay_/);
  });

  it('a valid "paid" callback confirms and credits once', async () => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    expect(await driver.sendPaid(t, a().gatewayId, p, txn, 'valid')).toEqual(driver.accepted);
    expect(await statusOf(p.id)).toBe('CONFIRMED');
    await waitFor(() => credits(p.id), (n) => n === 1);
  });

  it.each([
    ['tampered', 'tampered' as const],
    ['unsigned', 'unsigned' as const],
  ])('%s: a callback so sent is refused and changes nothing', async (_what, signature) => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    const answer = await driver.sendPaid(t, a().gatewayId, p, txn, signature);
    expect(answer.status).toBe(401);
    expect(await statusOf(p.id)).toBe('PENDING');
  });

  it('a callback signed with another gateway\'s secret is refused and changes nothing', async () => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    expect((await driver.sendPaid(t, a().gatewayId, p, txn, { secret: driver.merchant(2).signingSecret })).status).toBe(401);
    expect(await statusOf(p.id)).toBe('PENDING');
  });

  it('a correctly signed callback of another organization\'s gateway, naming this payment, changes nothing', async () => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    const answer = await driver.sendPaid(t, b().gatewayId, p, txn, 'valid');
    expect(answer.status).toBeLessThan(500);
    expect(await statusOf(p.id)).toBe('PENDING');
    expect(await credits(p.id)).toBe(0);
  });

  it('a decline closes the payment without money', async () => {
    const p = await initiate();
    expect((await driver.sendDeclined(t, a().gatewayId, p, 'valid')).status).toBe(200);
    expect(await statusOf(p.id)).toBe(driver.declinedStatus);
    expect(await credits(p.id)).toBe(0);
  });

  it('a duplicate storm of one "paid" callback credits once', async () => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    const answers = await Promise.all(Array.from({ length: 15 }, () => driver.sendPaid(t, a().gatewayId, p, txn, 'valid')));
    expect(answers.every((x) => x.status === 200)).toBe(true);
    await waitFor(() => credits(p.id), (n) => n === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await credits(p.id)).toBe(1);
  });

  it('reconciliation finds a confirmation whose callback was lost', async () => {
    const p = await initiate();
    await driver.takeMoney(t, a().gatewayId, p);
    const res = await t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { status } }', { id: p.id }, a().token);
    expect(res.body.data.reconcilePayment.status).toBe('CONFIRMED');
    await waitFor(() => credits(p.id), (n) => n === 1);
  });

  it('cancels a pending payment, here and at the gateway', async () => {
    const p = await initiate();
    const res = await t.gql('mutation($id: ID!) { cancelPayment(id: $id) { status } }', { id: p.id }, a().token);
    expect(res.body.data.cancelPayment.status).toBe('CANCELLED');
  });

  it('refunds, or refuses clearly where the gateway has no refunds', async () => {
    const p = await initiate();
    const txn = await driver.takeMoney(t, a().gatewayId, p);
    await driver.sendPaid(t, a().gatewayId, p, txn, 'valid');
    await waitFor(() => credits(p.id), (n) => n === 1);
    const res = await t.gql('mutation($id: ID!) { refundPayment(input: { transactionId: $id, amount: "20.00" }) { success amount } }', { id: p.id }, a().token);
    if (driver.refunds) {
      expect(res.body.data.refundPayment).toEqual({ success: true, amount: '20.00' });
      await waitFor(() => statusOf(p.id), (s) => s === 'PARTIALLY_REFUNDED');
    } else {
      expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/refunds are not supported/) });
      expect(await statusOf(p.id)).toBe('CONFIRMED');
    }
  });

  it('another organization cannot touch the payment through the API', async () => {
    const p = await initiate();
    for (const op of ['reconcilePayment', 'cancelPayment']) {
      const res = await t.gql(`mutation($id: ID!) { ${op}(id: $id) { status } }`, { id: p.id }, b().token);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(await statusOf(p.id)).toBe('PENDING');
  });
});

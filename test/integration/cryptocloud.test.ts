// The CRYPTOCLOUD gateway against the simulator: invoices, JWT postbacks confirmed with
// invoice/merchant/info, every invoice status, cancel, reconciliation, and refunds refused.
import { SignJWT } from 'jose';
import { expirePayments } from '../../src/jobs/expire-payments';
import { reconcilePayments } from '../../src/jobs/reconcile-payments';
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { plus } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';
import { CryptoCloudSimulator } from '../simulators/cryptocloud';

const API_KEY = 'cc_api_key_eyJ0eXAi';
const POSTBACK_SECRET = 'cc_postback_secret_key';

describe('CryptoCloud gateway', () => {
  const cc = new CryptoCloudSimulator({ [API_KEY]: 'shop_NGpD44' });
  let t: TestApp;
  let token: string;
  let gatewayId: string;

  beforeAll(async () => {
    await cc.start();
    t = await startTestApp('cryptocloud', { CRYPTOCLOUD_API_URL: cc.url }, { workers: true });
    const org = await makeOrg(t.deps);
    token = org.token;
    await t.gql('mutation { upsertClub(input: { id: "club_c", name: "Crypto club" }) { id } upsertClient(input: { id: "client_c", clubId: "club_c", email: "c@example.com" }) { id } }', {}, token);
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id callbackUrls } }', {
      i: { organizationId: org.orgId, type: 'CRYPTOCLOUD', publicId: 'shop_NGpD44', apiSecret: API_KEY, webhookSecret: POSTBACK_SECRET },
    }, token);
    gatewayId = gw.body.data.configurePaymentGateway.id;
    expect(gw.body.data.configurePaymentGateway.callbackUrls).toEqual([`${t.url}/payments/cryptocloud/${gatewayId}/postback`]);
  });
  afterAll(async () => {
    await t.close();
    await cc.stop();
  });

  const postbackUrl = () => `${t.url}/payments/cryptocloud/${gatewayId}/postback`;
  const initiate = async (amount = '25.00') => {
    const res = await t.gql('mutation($input: InitiatePaymentInput!) { initiateTopUpPayment(input: $input) { paymentUrl transactionId expiresAt payment { gatewayTransactionId } } }',
      { input: { clientId: 'client_c', clubId: 'club_c', amount } }, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    const r = res.body.data.initiateTopUpPayment;
    return { ...r, uuid: r.payment.gatewayTransactionId as string };
  };
  const payment = async (id: string) => (await t.gql('query($id: ID!) { payment(id: $id) { status amount history { toStatus reason } } }', { id }, token)).body.data.payment;
  const balance = async () => (await t.gql('{ client(id: "client_c") { balance } }', {}, token)).body.data.client.balance;
  const credits = (id: string) => t.deps.db.ledgerEntry.count({ where: { paymentId: id } });

  it('creates an invoice: amount and currency, order_id = payment id, email, time_to_pay matching the expiry', async () => {
    const r = await initiate('25.00');
    const call = cc.requests.filter((q) => q.path === 'v2/invoice/create').at(-1)!;
    expect(call.body).toMatchObject({ shop_id: 'shop_NGpD44', amount: 25, currency: 'RUB', order_id: r.transactionId, email: 'c@example.com', add_fields: { time_to_pay: { hours: 0, minutes: 30 } } });
    expect(r.paymentUrl).toMatch(/^https:\/\/pay\.cryptocloud\.plus\/[0-9A-F]{8}$/);
    expect(r.uuid).toMatch(/^INV-[0-9A-F]{8}$/);
  });

  it('invoices a client in its own currency (CryptoCloud converts it)', async () => {
    await t.gql('mutation { upsertClient(input: { id: "client_kzt", clubId: "club_c", currency: "KZT" }) { id } }', {}, token);
    const res = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "client_kzt", clubId: "club_c", amount: "5000.50" }) { transactionId payment { currency amount } } }', {}, token);
    expect(res.body.data.initiateTopUpPayment.payment).toEqual({ currency: 'KZT', amount: '5000.50' });
    const call = cc.requests.filter((q) => q.path === 'v2/invoice/create').at(-1)!;
    expect(call.body).toMatchObject({ amount: 5000.5, currency: 'KZT', order_id: res.body.data.initiateTopUpPayment.transactionId });
  });

  it('paid: confirmed with invoice/merchant/info, credited once, duplicates change nothing', async () => {
    const before = await balance();
    const r = await initiate('25.00');
    cc.set(r.uuid, 'paid', '0.0042', '0.27');
    for (let i = 0; i < 3; i++) expect(await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET })).toEqual({ status: 200, body: { message: 'Postback received' } });
    expect((await payment(r.transactionId)).status).toBe('CONFIRMED');
    await waitFor(balance, (b) => b === plus(before, 25));
    expect(await credits(r.transactionId)).toBe(1);
    expect(cc.requests.filter((q) => q.path === 'v2/invoice/merchant/info').at(-1)?.body).toEqual({ uuids: [r.uuid] });
  });

  it('a form-encoded postback (invoice_info as a JSON string) works too', async () => {
    const r = await initiate('3.00');
    cc.set(r.uuid, 'paid');
    expect((await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET, form: true })).status).toBe(200);
    expect((await payment(r.transactionId)).status).toBe('CONFIRMED');
  });

  it('overpaid: CONFIRMED, the invoiced amount is credited, the overpayment recorded', async () => {
    const r = await initiate('10.00');
    cc.set(r.uuid, 'overpaid', '0.0099', '0.55');
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    const p = await payment(r.transactionId);
    expect(p.status).toBe('CONFIRMED');
    expect(p.history.at(-1).reason).toMatch(/overpaid: received 0.0099 \(0.55 USD\)/);
    const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: r.transactionId } });
    expect(row.metadata).toMatchObject({ overpaid: 'true', receivedCrypto: '0.0099' });
    const [credit] = await waitFor(() => t.deps.db.ledgerEntry.findMany({ where: { paymentId: r.transactionId } }), (l) => l.length === 1);
    expect(credit.amount.toFixed(2)).toBe('10.00');
  });

  it('partial, then paid: stays PENDING with the received amount recorded, then credited once', async () => {
    const r = await initiate('20.00');
    cc.set(r.uuid, 'partial', '0.001', '0.10');
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    let p = await payment(r.transactionId);
    expect(p.status).toBe('PENDING');
    expect(p.history.filter((e: any) => /partially paid/.test(e.reason ?? ''))).toHaveLength(1);
    expect(await credits(r.transactionId)).toBe(0);
    cc.set(r.uuid, 'paid', '0.0042', '0.27');
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    p = await payment(r.transactionId);
    expect(p.status).toBe('CONFIRMED');
    await waitFor(() => credits(r.transactionId), (n) => n === 1);
  });

  it('canceled: CANCELLED', async () => {
    const r = await initiate();
    cc.set(r.uuid, 'canceled');
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    expect((await payment(r.transactionId)).status).toBe('CANCELLED');
  });

  it('expired: cancelled at CryptoCloud (invoice/merchant/canceled) and here', async () => {
    const r = await initiate();
    await t.deps.db.payment.update({ where: { id: r.transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expirePayments(t.deps);
    expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id: r.transactionId } })).toMatchObject({ status: 'CANCELLED', failureCode: 'EXPIRED' });
    expect(cc.requests.filter((q) => q.path === 'v2/invoice/merchant/canceled').at(-1)?.body).toEqual({ uuid: r.uuid });
    expect(cc.invoices.get(r.uuid)?.status).toBe('canceled');
  });

  it.each([
    ['a JWT signed with another secret', { secret: 'not-the-postback-secret' }, 'INVALID'],
    ['an expired JWT', { secret: POSTBACK_SECRET, expiresInSeconds: -600 }, 'INVALID'],
    ['a JWT for another invoice', { secret: POSTBACK_SECRET, claimId: 'DEADBEEF' }, 'INVALID'],
    ['no token', { secret: POSTBACK_SECRET, token: null }, 'MISSING'],
  ])('%s: 401, stored with its verdict, nothing changes', async (_what, options, verdict) => {
    const r = await initiate();
    cc.set(r.uuid, 'paid');
    const res = await cc.postback(postbackUrl(), r.uuid, options);
    expect(res.status).toBe(401);
    expect((await payment(r.transactionId)).status).toBe('PENDING');
    const stored = await t.deps.db.gatewayCallback.findFirst({ where: { gatewayId, body: { path: ['invoice_id'], equals: r.uuid.replace('INV-', '') } }, orderBy: { receivedAt: 'desc' } });
    expect(stored?.verdict).toBe(verdict);
  });

  it.each([
    ['{}', 'application/json'],
    ['not json', 'application/json'],
    ['a=b', 'application/x-www-form-urlencoded'],
    ['{"invoice_id":"ABCD1234","status":"success"}', 'application/json'],
    ['{"token":{"alg":"none"},"invoice_id":"ABCD1234"}', 'application/json'],
  ])('unsigned junk %s: 401, stored as MISSING or INVALID, never VALID, and CryptoCloud is not asked', async (body, contentType) => {
    const calls = cc.requests.length;
    const res = await fetch(postbackUrl(), { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(res.status).toBe(401);
    const stored = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { gatewayId }, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }] });
    expect(['MISSING', 'INVALID']).toContain(stored.verdict);
    expect(JSON.stringify(stored.body)).not.toContain('token');
    expect(cc.requests.length).toBe(calls);
  });

  it('one captured token replayed with junk bodies: INVALID for another invoice; for its own (malformed) one, at most 2 items and 2 ATTENTION_NEEDED, callbacks kept within a quota', async () => {
    const sign = (id: string) => new SignJWT({ id }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300).sign(new TextEncoder().encode(POSTBACK_SECRET));
    const organizationId = (await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: gatewayId } })).organizationId;
    const unreadable = () => t.deps.db.attentionItem.findMany({ where: { organizationId, kind: 'UNREADABLE_CALLBACK' } });
    const alerts = () => t.deps.db.outbox.count({ where: { organizationId, kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'ATTENTION_NEEDED' } } });
    const before = { items: (await unreadable()).length, alerts: await alerts() };
    const send = (body: object) => fetch(postbackUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const captured = await sign('ABCDEF12');
    for (let i = 0; i < 50; i++) expect((await send({ token: captured, invoice_id: '!', junk: `${i}-${Math.random()}` })).status).toBe(401);
    expect(await t.deps.db.gatewayCallback.count({ where: { gatewayId, verdict: 'UNREADABLE' } })).toBe(0);
    expect((await unreadable()).length).toBe(before.items);

    // A token naming an id Paygate cannot read (as if CryptoCloud sent one): signed, so UNREADABLE, folded into one item an hour.
    const odd = await sign('AB-CD');
    for (let i = 0; i < 80; i++) expect((await send({ token: odd, invoice_id: 'AB-CD', junk: `${i}-${Math.random()}` })).status).toBe(200);
    const items = await unreadable();
    expect(items.length - before.items).toBeGreaterThanOrEqual(1);
    expect(items.length - before.items).toBeLessThanOrEqual(2);
    expect(await alerts() - before.alerts).toBeLessThanOrEqual(2);
    // Stored within the quota (30 a minute; the run may straddle a minute), each counted on the item.
    const stored = await t.deps.db.gatewayCallback.count({ where: { gatewayId, verdict: 'UNREADABLE' } });
    expect(stored).toBeGreaterThanOrEqual(30);
    expect(stored).toBeLessThanOrEqual(60);
    expect(items.reduce((n, i) => n + Number((i.evidence as { count: number }).count), 0)).toBe(stored);
  });

  it('a signed postback CryptoCloud cannot be asked about answers "try again later" and changes nothing', async () => {
    const r = await initiate();
    cc.set(r.uuid, 'paid');
    cc.down = true;
    try {
      const res = await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
      expect(res.status).toBe(503);
      expect((await payment(r.transactionId)).status).toBe('PENDING');
      const stored = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { gatewayId }, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }] });
      expect(stored).toMatchObject({ verdict: 'VALID', result: { outcome: { result: 'retry' } } });
      expect(stored.body).not.toHaveProperty('token');
    } finally {
      cc.down = false;
    }
    expect((await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET })).status).toBe(200);
    expect((await payment(r.transactionId)).status).toBe('CONFIRMED');
  });

  it('the token may name the invoice with its INV- prefix', async () => {
    const r = await initiate();
    cc.set(r.uuid, 'paid');
    expect((await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET, claimId: r.uuid })).status).toBe(200);
    expect((await payment(r.transactionId)).status).toBe('CONFIRMED');
  });

  it('a postback claiming success while invoice/merchant/info says otherwise changes nothing', async () => {
    const r = await initiate();
    const res = await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET, claimedStatus: 'success' }); // the invoice is still "created"
    expect(res.status).toBe(200);
    expect((await payment(r.transactionId)).status).toBe('PENDING');
    expect(await credits(r.transactionId)).toBe(0);
  });

  it('reconciliation finds a lost postback, asking about at most 100 invoices a call', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 105; i++) {
      const r = await initiate('1.00');
      ids.push(r.transactionId);
      if (i === 104) cc.set(r.uuid, 'paid');
    }
    await t.deps.db.payment.updateMany({ where: { id: { in: ids } }, data: { expiresAt: new Date(Date.now() + 60_000) } });
    const calls = cc.requests.length;
    await reconcilePayments(t.deps); // 100 payments a run, asked in one call
    await reconcilePayments(t.deps); // the rest
    const infoCalls = cc.requests.slice(calls).filter((q) => q.path === 'v2/invoice/merchant/info');
    expect(infoCalls).toHaveLength(2);
    expect(infoCalls[0].body.uuids).toHaveLength(100);
    expect(infoCalls.every((q) => q.body.uuids.length <= 100)).toBe(true);
    expect((await payment(ids[104])).status).toBe('CONFIRMED');
  });

  it('passes the available currencies and a fixed cryptocurrency to the invoice; other gateways refuse them', async () => {
    const org = await makeOrg(t.deps);
    await t.gql('mutation { upsertClub(input: { id: "k", name: "K" }) { id } upsertClient(input: { id: "p" }) { id } }', {}, org.token);
    const configure = (type: string, extra: Record<string, unknown>) => t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: org.orgId, type, publicId: 'shop_NGpD44', apiSecret: API_KEY, ...(type === 'CRYPTOCLOUD' ? { webhookSecret: 's' } : {}), ...extra } }, type === 'SANDBOX' ? org.testToken : org.token);
    expect((await configure('CRYPTOCLOUD', { availableCurrencies: ['usdt_trc20', 'BTC'], cryptocurrency: 'usdt_trc20' })).body.errors).toBeUndefined();
    await t.gql('mutation { initiateTopUpPayment(input: { clientId: "p", clubId: "k", amount: 7 }) { transactionId } }', {}, org.token);
    expect(cc.requests.filter((q) => q.path === 'v2/invoice/create').at(-1)?.body.add_fields).toMatchObject({ available_currencies: ['USDT_TRC20', 'BTC'], cryptocurrency: 'USDT_TRC20' });
    expect((await configure('CRYPTOCLOUD', { cryptocurrency: 'not a code!' })).body.errors?.[0].message).toMatch(/cryptocurrency must be a CryptoCloud currency code/);
    const sandbox = await configure('SANDBOX', { cryptocurrency: 'BTC' });
    expect(sandbox.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/SANDBOX takes no availableCurrencies or cryptocurrency settings/) });
  });

  it('refunds are refused clearly and change nothing', async () => {
    const r = await initiate();
    cc.set(r.uuid, 'paid');
    await cc.postback(postbackUrl(), r.uuid, { secret: POSTBACK_SECRET });
    const res = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success } }', { i: { transactionId: r.transactionId } }, token);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^refunds are not supported by CRYPTOCLOUD; /) });
    expect(await t.deps.db.refund.count({ where: { paymentId: r.transactionId } })).toBe(0);
    expect((await payment(r.transactionId)).status).toBe('CONFIRMED');
  });
});

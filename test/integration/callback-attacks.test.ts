// Gateway callbacks as an attacker sends them: re-spliced bodies under a stolen signature, one
// kind's signed body posted to another kind's URL, duplicated keys, overlong and malformed fields,
// and what is kept of a body. Each case changes nothing, or exactly what it should.
import { createHash, createHmac } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification, shapeFor, type Fields } from '../helpers/callbacks';
import { makeShop, SEED_STATUS, topUp, type Shop } from '../helpers/fixtures';
import { encodeForm } from '../../src/gateways/cloudpayments/wire';
import { waitFor } from '../helpers/wait';

describe('callback attacks', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('cbattacks', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const hmac = (text: string) => createHmac('sha256', shop.apiSecret).update(text).digest('base64');
  const url = (kind: string) => `${t.url}/payments/cloudpayments/${shop.gatewayId}/${kind}`;
  const post = async (kind: string, body: string, headers: Record<string, string>, contentType = 'application/x-www-form-urlencoded') => {
    const res = await fetch(url(kind), { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const signedPost = (kind: string, body: string, contentType?: string) => post(kind, body, { 'Content-HMAC': hmac(body) }, contentType);
  const notify = (kind: string, fields: Fields, options: Parameters<typeof sendNotification>[4] = {}) =>
    sendNotification(t.url, shop.gatewayId, kind, fields, { secret: shop.apiSecret, ...options });
  const payment = (id: string) => t.deps.db.payment.findUniqueOrThrow({ where: { id } });
  const credits = (paymentId: string) => t.deps.db.ledgerEntry.count({ where: { paymentId, kind: 'TOP_UP' } });
  const lastCallback = (kind?: string) => t.deps.db.gatewayCallback.findFirstOrThrow({ where: { gatewayId: shop.gatewayId, ...(kind ? { kind } : {}) }, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }] });
  const history = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment.history as Array<{ reason: string }>;

  describe('re-splicing a genuine notification (X-Content-HMAC covers decoded fields)', () => {
    it('a 1.00 Pay whose cardholder name carries another invoice cannot credit that invoice 5000.00', async () => {
      const small = await topUp(t, shop, { amount: '1.00' });
      const big = await topUp(t, shop, { amount: '5000.00' });
      const injected = `A&InvoiceId=${big.transactionId}&AccountId=${shop.clientId}&Amount=5000.00&TransactionId=7`;
      const fields = { ...payFields(small.transactionId, shop.clientId, '1.00'), Name: injected, Description: injected, Email: injected };
      const genuine = encodeForm(fields);
      const xContentHmac = createHmac('sha256', shop.apiSecret).update(decodeURIComponent(genuine.replace(/\+/g, ' '))).digest('base64');
      expect((await post('pay', genuine, { 'Content-HMAC': hmac(genuine), 'X-Content-HMAC': xContentHmac })).body).toEqual({ code: 0 });
      await waitFor(() => credits(small.transactionId), (n) => n === 1);

      // The attacker's replay: the decoded body, a garbage Content-HMAC and the captured X-Content-HMAC
      const spliced = decodeURIComponent(genuine.replace(/\+/g, ' '));
      expect((await post('pay', spliced, { 'Content-HMAC': 'garbage', 'X-Content-HMAC': xContentHmac })).status).toBe(401);
      expect((await post('pay', spliced, { 'X-Content-HMAC': xContentHmac })).status).toBe(401);
      expect(await lastCallback()).toMatchObject({ verdict: 'MISSING' });
      expect((await payment(big.transactionId)).status).toBe('PENDING');
      expect(await credits(big.transactionId)).toBe(0);
    });

    it('a signed body with a duplicated key is unreadable: nothing applied, stored for a person', async () => {
      const { transactionId } = await topUp(t, shop, { amount: '1.00' });
      const other = await topUp(t, shop, { amount: '700.00' });
      const body = `${encodeForm(payFields(transactionId, shop.clientId, '1.00'))}&InvoiceId=${other.transactionId}&Amount=700.00`;
      expect(await signedPost('pay', body)).toEqual({ status: 200, body: { code: 0 } });
      expect(await lastCallback()).toMatchObject({ verdict: 'UNREADABLE', error: expect.stringMatching(/appears more than once/) });
      const json = `{"TransactionId":"1","Amount":"1.00","Currency":"RUB","Status":"Completed","OperationType":"Payment","GatewayName":"T","InvoiceId":"${transactionId}","invoiceid":"${other.transactionId}"}`;
      expect((await signedPost('pay', json, 'application/json')).body).toEqual({ code: 0 });
      const check = `${encodeForm(shapeFor('check', payFields(transactionId, shop.clientId, '1.00')))}&Amount=2.00`;
      expect((await signedPost('check', check)).body).toEqual({ code: 13 }); // a Check we cannot read lets nothing through
      for (const id of [transactionId, other.transactionId]) expect((await payment(id)).status).toBe('PENDING');
    });

    it('a signed JSON body posted again as a form is still read as the JSON it is', async () => {
      const small = await topUp(t, shop, { amount: '1.00' });
      const big = await topUp(t, shop, { amount: '500.00' });
      const injected = `&TransactionId=77&Amount=500.00&Currency=RUB&InvoiceId=${big.transactionId}&Status=Completed&OperationType=Payment&GatewayName=T&x=`;
      const json = JSON.stringify({ ...payFields(small.transactionId, shop.clientId, '1.00'), Description: injected });
      expect((await signedPost('pay', json, 'application/json')).body).toEqual({ code: 0 });
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain']) {
        expect((await signedPost('pay', json, contentType)).body).toEqual({ code: 0 }); // the same Pay again: a duplicate
      }
      expect((await payment(big.transactionId)).status).toBe('PENDING');
      await waitFor(() => credits(small.transactionId), (n) => n === 1);
      expect(await credits(big.transactionId)).toBe(0);
    });

    it('a card payout reported through the Pay notification is not a top-up', async () => {
      const { transactionId } = await topUp(t, shop);
      expect((await notify('pay', { ...payFields(transactionId, shop.clientId), OperationType: 'CardPayout' })).body).toEqual({ code: 0 });
      expect((await payment(transactionId)).status).toBe('PENDING');
    });

    it('a flood of unsigned requests is counted, not stored without end', async () => {
      const flooded = await makeShop(t); // its own gateway: the quota is per gateway
      const { transactionId } = await topUp(t, flooded);
      const body = encodeForm(payFields(transactionId, flooded.clientId));
      const startedMinute = Math.floor(Date.now() / 60_000);
      const answers = await Promise.all(Array.from({ length: 150 }, () =>
        fetch(`${t.url}/payments/cloudpayments/${flooded.gatewayId}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })));
      expect(answers.every((a) => a.status === 401)).toBe(true);
      const stored = await t.deps.db.gatewayCallback.count({ where: { gatewayId: flooded.gatewayId, verdict: 'MISSING' } });
      expect(stored).toBeGreaterThan(0);
      // 120 a minute per gateway: a flood that straddles a minute's end may keep 120 in each
      const minutes = Math.floor(Date.now() / 60_000) - startedMinute + 1;
      expect(stored).toBeLessThanOrEqual(120 * minutes);
    });

    it('signature headers are not stored beside bodies', async () => {
      const { transactionId } = await topUp(t, shop);
      await notify('pay', payFields(transactionId, shop.clientId));
      const stored = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { paymentId: transactionId } });
      expect(Object.keys(stored.headers as object).map((h) => h.toLowerCase())).not.toEqual(expect.arrayContaining(['content-hmac']));
      expect(JSON.stringify(stored.headers)).not.toMatch(/hmac/i);
    });
  });

  describe('a body counts only as the kind its own fields say', () => {
    it('a stored Fail posted to /pay does not turn FAILED into CONFIRMED', async () => {
      const { transactionId } = await topUp(t, shop);
      const fail = encodeForm(shapeFor('fail', payFields(transactionId, shop.clientId)));
      expect((await signedPost('fail', fail)).body).toEqual({ code: 0 });
      const failed = await payment(transactionId);
      expect(failed.status).toBe('FAILED');
      expect(failed.gatewayTransactionId).toBe(new URLSearchParams(fail).get('TransactionId')); // a Fail records its transaction
      const res = await signedPost('pay', fail);
      expect(res.status).toBe(401);
      expect(await lastCallback('pay')).toMatchObject({ verdict: 'INVALID', error: 'a fail notification posted to the pay URL' });
      expect((await payment(transactionId)).status).toBe('FAILED');
      await new Promise((r) => setTimeout(r, 300));
      expect(await credits(transactionId)).toBe(0);
    });

    it('a Check posted to /pay does not confirm a payment before it is charged; a Pay posted to /check is refused', async () => {
      const { transactionId } = await topUp(t, shop);
      const check = encodeForm(shapeFor('check', payFields(transactionId, shop.clientId)));
      expect((await signedPost('check', check)).body).toEqual({ code: 0 });
      expect((await signedPost('pay', check)).status).toBe(401);
      expect((await signedPost('confirm', check)).status).toBe(401);
      const pay = encodeForm(payFields(transactionId, shop.clientId));
      expect((await signedPost('check', pay)).status).toBe(401);
      expect((await signedPost('refund', pay)).status).toBe(401);
      expect((await signedPost('cancel', pay)).status).toBe(401);
      expect((await payment(transactionId)).status).toBe('PENDING');
    });

    it('a Cancel or Refund body posted elsewhere is refused too', async () => {
      const { transactionId } = await topUp(t, shop);
      const cancel = encodeForm(shapeFor('cancel', payFields(transactionId, shop.clientId)));
      for (const kind of ['pay', 'fail', 'check', 'confirm']) expect((await signedPost(kind, cancel)).status).toBe(401);
      expect((await payment(transactionId)).status).toBe('PENDING');
    });
  });

  describe('overlong and malformed fields', () => {
    it('a Fail with a 620-character Reason still fails its payment, its reason cut short', async () => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify('fail', { ...payFields(transactionId, shop.clientId), Reason: 'R'.repeat(620) });
      expect(res).toEqual({ status: 200, body: { code: 0 } });
      const p = await payment(transactionId);
      expect(p.status).toBe('FAILED');
      expect(p.failureReason).toBe('R'.repeat(200));
      expect((await lastCallback()).verdict).toBe('VALID');
    });

    it.each([
      ['a 45-character ReasonCode', 'fail', { ReasonCode: '5'.repeat(45) }],
      ['a 600-character Currency', 'pay', { Currency: 'R'.repeat(600) }],
      ['a 300-character TransactionId', 'pay', { TransactionId: '7'.repeat(300) }],
      ['a TransactionId that is not a number', 'pay', { TransactionId: 'abc' }],
      ['an Amount that is not a number', 'pay', { Amount: '1e400' }],
      ['a 200-character InvoiceId', 'pay', { InvoiceId: 'p'.repeat(200) }],
      ['an unknown Status', 'pay', { Status: 'Maybe' }],
    ])('%s: stored UNREADABLE, answered 0 so the gateway stops, nothing applied', async (_what, kind, patch) => {
      const { transactionId } = await topUp(t, shop);
      const res = await notify(kind, { ...payFields(transactionId, shop.clientId), ...patch });
      expect(res).toEqual({ status: 200, body: { code: 0 } });
      expect(await lastCallback()).toMatchObject({ verdict: 'UNREADABLE', paymentId: null });
      expect((await payment(transactionId)).status).toBe('PENDING');
    });

    it('a malformed JSON Pay (an object for a TransactionId) is unreadable, not a 500', async () => {
      const { transactionId } = await topUp(t, shop);
      const body = JSON.stringify({ ...payFields(transactionId, shop.clientId), TransactionId: { $gt: 1 } });
      expect(await signedPost('pay', body, 'application/json')).toEqual({ status: 200, body: { code: 0 } });
      expect((await lastCallback()).verdict).toBe('UNREADABLE');
      expect(await signedPost('pay', 'not json', 'application/json')).toEqual({ status: 200, body: { code: 0 } });
      expect((await payment(transactionId)).status).toBe('PENDING');
    });
  });

  describe('what is kept of a body', () => {
    it('only allow-listed fields and the SHA-256 of the raw body: no token in any spelling, name, e-mail, IP or card expiry', async () => {
      const { transactionId } = await topUp(t, shop);
      const secretish = ['tk_plain_token', 'tk_lower_token', 'tk_encoded_key', 'ANNA IVANOVA', 'anna@mail.example', '93.184.216.34', '4111111111111111'];
      // "T%6Fken" is "Token" once decoded
      const body = `${encodeForm({ ...payFields(transactionId, shop.clientId), Name: secretish[3], Email: secretish[4], IpAddress: secretish[5], CardNumber: secretish[6] })}&T%6Fken=${secretish[2]}`;
      expect((await signedPost('pay', body)).body).toEqual({ code: 0 });
      const stored = await t.deps.db.gatewayCallback.findFirstOrThrow({ where: { paymentId: transactionId, kind: 'pay' } });
      expect(stored.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
      expect(Object.keys(stored.body as object).sort()).toEqual(
        ['AccountId', 'Amount', 'CardFirstSix', 'CardLastFour', 'CardType', 'Currency', 'DateTime', 'GatewayName', 'InvoiceId', 'OperationType', 'PaymentAmount', 'PaymentCurrency', 'Status', 'TestMode', 'TransactionId'],
      );
      await signedPost('pay', encodeForm({ ...payFields(transactionId, shop.clientId), Token: secretish[0] }));
      const json = JSON.stringify({ ...payFields(transactionId, shop.clientId), TransactionId: '99', Amount: '1.00' }).replace('{', `{"\\u0054oken":"${secretish[1]}",`);
      await signedPost('pay', json, 'application/json');
      const everything = JSON.stringify(await t.deps.db.gatewayCallback.findMany()) + t.logs();
      for (const s of secretish) expect(everything).not.toContain(s);
      expect(everything).not.toContain('12/30'); // CardExpDate
    });
  });

  describe('what cannot be applied is answered, never a 500', () => {
    it('a Pay naming a transaction another payment already holds: a note, not a database error', async () => {
      const a = await topUp(t, shop);
      const b = await topUp(t, shop);
      const first = payFields(a.transactionId, shop.clientId);
      await notify('pay', first);
      const res = await notify('pay', { ...payFields(b.transactionId, shop.clientId), TransactionId: first.TransactionId });
      expect(res).toEqual({ status: 200, body: { code: 0 } });
      expect((await payment(b.transactionId)).status).toBe('PENDING');
      expect((await history(b.transactionId)).at(-1)?.reason).toMatch(/already recorded for payment .*manual handling/);
    });

    it('the same unappliable notification again and again adds one note, not one per copy', async () => {
      const { transactionId } = await topUp(t, shop);
      for (let i = 0; i < 5; i++) await notify('pay', payFields(transactionId, shop.clientId, '499.00'));
      expect((await history(transactionId)).filter((e) => /not applied/.test(e.reason))).toHaveLength(1);
      const long = await t.gql('query($id: ID!) { payment(id: $id) { history(first: 501) { reason } } }', { id: transactionId }, shop.token);
      expect(long.body.errors?.[0].message).toMatch(/first must be between 1 and 500/);
    });

    it('a Refund notification whose amount differs from our refund it names is not booked', async () => {
      const { transactionId } = await topUp(t, shop);
      const pay = payFields(transactionId, shop.clientId);
      await notify('pay', pay);
      await waitFor(() => credits(transactionId), (n) => n === 1);
      await t.deps.db.refund.create({ data: { id: 'ref_amountcheck000000000000', organizationId: shop.orgId, paymentId: transactionId, amount: '10', actor: 'test' } });
      await notify('refund', { TransactionId: '8801', PaymentTransactionId: String(pay.TransactionId), Amount: '400.00', InvoiceId: transactionId, Data: '{"paygateRefundId":"ref_amountcheck000000000000"}' });
      expect(await t.deps.db.refund.findUniqueOrThrow({ where: { id: 'ref_amountcheck000000000000' } })).toMatchObject({ status: 'PENDING', gatewayRefundId: null });
      expect((await history(transactionId)).at(-1)?.reason).toMatch(/not booked, manual handling/);
    });
  });

  describe('facts that do not stop a Pay are recorded', () => {
    it('another AccountId or no Currency: applied, with a note in history', async () => {
      const a = await topUp(t, shop);
      expect((await notify('pay', payFields(a.transactionId, 'client_someone_else'))).body).toEqual({ code: 0 });
      expect((await payment(a.transactionId)).status).toBe('CONFIRMED');
      expect((await history(a.transactionId)).at(-1)?.reason).toMatch(/names account client_someone_else, not client client_xyz/);
      const b = await topUp(t, shop);
      expect((await notify('pay', { ...payFields(b.transactionId, shop.clientId), Currency: undefined, PaymentCurrency: undefined })).body).toEqual({ code: 0 });
      expect((await payment(b.transactionId)).status).toBe('CONFIRMED');
      expect((await history(b.transactionId)).at(-1)?.reason).toMatch(/did not state the currency/);
    });

    it('another currency: answered 0, nothing applied, flagged for manual handling', async () => {
      const { transactionId } = await topUp(t, shop);
      expect((await notify('pay', { ...payFields(transactionId, shop.clientId), Currency: 'USD' })).body).toEqual({ code: 0 });
      expect((await payment(transactionId)).status).toBe('PENDING');
      expect((await history(transactionId)).at(-1)?.reason).toMatch(/not applied, manual handling/);
      expect(t.logs()).toMatch(/needs attention/);
    });
  });
});

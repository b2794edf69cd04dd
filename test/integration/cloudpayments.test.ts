// The CLOUDPAYMENTS gateway against the simulator: payment links, notifications as the real
// service sends them, refunds, two-stage, reconciliation, and the API's limits.
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, SEED_STATUS, type Shop, outboxDrained, plus } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait';
import { makeOrg } from '../helpers/app';
import { CloudPaymentsSimulator } from '../simulators/cloudpayments';

const SECRET = 'cp_api_secret_Z9';

describe('CloudPayments gateway', () => {
  const cp = new CloudPaymentsSimulator({ pk_cp_test: SECRET });
  let t: TestApp;
  let shop: Shop;
  let gatewayId: string;

  beforeAll(async () => {
    await cp.start();
    t = await startTestApp('cloudpayments', { CLOUDPAYMENTS_API_URL: cp.url }, { workers: true });
    const base = await makeShop(t); // club and client (and a TEST sandbox gateway; this file works LIVE)
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: base.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_cp_test', apiSecret: SECRET, clubIds: [base.clubId] } }, base.liveToken);
    gatewayId = gw.body.data.configurePaymentGateway.id;
    shop = { ...base, token: base.liveToken, gatewayId, apiSecret: SECRET };
  });
  afterAll(async () => {
    await t.close();
    await cp.stop();
  });

  const initiate = (input: Record<string, unknown> = {}) => t.gql(
    'mutation($input: InitiatePaymentInput!) { initiateTopUpPayment(input: $input) { paymentUrl transactionId widget { publicId amount currency description invoiceId externalId accountId email paymentSchema } } }',
    { input: { clientId: shop.clientId, clubId: shop.clubId, amount: '1250.50', description: 'Пополнение баланса', returnUrl: 'https://crm.example.com/done', ...input } }, shop.token);
  const notifyUrl = (kind: string) => `${t.url}/payments/cloudpayments/${gatewayId}/${kind}`;
  const status = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;

  it('creates a payment link with orders/create and returns the widget parameters', async () => {
    const res = await initiate();
    const r = res.body.data.initiateTopUpPayment;
    const call = cp.requests.find((q) => q.path === 'orders/create' && q.body.InvoiceId === r.transactionId)!;
    expect(call.body).toMatchObject({
      Amount: 1250.5, Currency: 'RUB', Description: 'Пополнение баланса', InvoiceId: r.transactionId, AccountId: shop.clientId,
      Email: 'anna@example.com', RequireConfirmation: false, SuccessRedirectUrl: 'https://crm.example.com/done',
      FailRedirectUrl: 'https://crm.example.com/done?status=failed', JsonData: { paygatePaymentId: r.transactionId },
    });
    expect(call.requestId).toBe(`create-${r.transactionId}`);
    expect(r.paymentUrl).toMatch(/^https:\/\/orders\.cloudpayments\.ru\/d\//);
    expect(r.widget).toEqual({
      publicId: 'pk_cp_test', amount: '1250.50', currency: 'RUB', description: 'Пополнение баланса', invoiceId: r.transactionId,
      externalId: r.transactionId, accountId: shop.clientId, email: 'anna@example.com', paymentSchema: 'Single',
    });
  });

  it('Check and Pay as CloudPayments sends them (.NET form, both HMACs, Cyrillic): credited once', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const { transactionId } = (await initiate()).body.data.initiateTopUpPayment;
    const txn = cp.payInvoice(transactionId);
    const fields = {
      TransactionId: txn.TransactionId, Amount: '1250.50', Currency: 'RUB', PaymentAmount: '1250.50', PaymentCurrency: 'RUB', DateTime: '2026-11-23 10:00:00',
      CardFirstSix: '424242', CardLastFour: '4242', CardType: 'Visa', CardExpDate: '12/30', TestMode: '0', Status: 'Completed', OperationType: 'Payment',
      InvoiceId: transactionId, AccountId: shop.clientId, Description: 'Пополнение баланса', Name: 'АННА ИВАНОВА', Data: '{"source":"widget"}',
      GatewayName: 'Tinkoff', Token: 'tk_should_not_be_kept',
    };
    expect(await cp.notify(notifyUrl('check'), 'pk_cp_test', fields)).toEqual({ status: 200, body: { code: 0 } });
    expect(await cp.notify(notifyUrl('pay'), 'pk_cp_test', fields)).toEqual({ status: 200, body: { code: 0 } });
    expect(await cp.notify(notifyUrl('pay'), 'pk_cp_test', fields, { json: true })).toEqual({ status: 200, body: { code: 0 } });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 1250.5));
    expect((await status(transactionId)).gatewayTransactionId).toBe(String(txn.TransactionId));
  });

  it('refunds through payments/refund with the refund id as X-Request-ID; a dashboard refund is booked from its notification', async () => {
    const { transactionId } = (await initiate({ amount: 100 })).body.data.initiateTopUpPayment;
    const txn = cp.payInvoice(transactionId);
    await cp.notify(notifyUrl('pay'), 'pk_cp_test', { TransactionId: txn.TransactionId, Amount: '100.00', Currency: 'RUB', Status: 'Completed', InvoiceId: transactionId, AccountId: shop.clientId });
    await waitFor(() => t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId } }), (n) => n === 1);
    const res = await t.gql('mutation($i: RefundInput!) { refundPayment(input: $i) { success refundId amount } }', { i: { transactionId, amount: 30 } }, shop.token);
    const { refundId } = res.body.data.refundPayment;
    const call = cp.requests.filter((q) => q.path === 'payments/refund').at(-1)!;
    expect(call).toMatchObject({ requestId: refundId, body: { TransactionId: txn.TransactionId, Amount: 30, JsonData: { paygateRefundId: refundId } } });
    // a refund made in the CloudPayments dashboard
    await cp.notify(notifyUrl('refund'), 'pk_cp_test', { TransactionId: 777001, PaymentTransactionId: txn.TransactionId, Amount: '20.00', DateTime: '2026-11-23 11:00:00', OperationType: 'Refund', InvoiceId: transactionId });
    const p = await waitFor(() => status(transactionId), (x) => x.refunds.length === 2 && x.status === 'PARTIALLY_REFUNDED');
    expect(p.refunds.map((r: any) => r.amount).sort()).toEqual(['20.00', '30.00']);
  });

  it('two-stage: capture with payments/confirm and void with payments/void', async () => {
    const org = await makeOrg(t.deps);
    await t.gql('mutation { upsertClub(input: { id: "c2", name: "Two" }) { id } upsertClient(input: { id: "k2", clubId: "c2" }) { id } }', {}, org.token);
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: org.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_cp_test', apiSecret: SECRET, twoStage: true } }, org.token);
    const id2 = gw.body.data.configurePaymentGateway.id;
    const mk = async () => {
      const r = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "k2", clubId: "c2", amount: 40 }) { transactionId widget { paymentSchema } } }', {}, org.token);
      const payment = r.body.data.initiateTopUpPayment;
      expect(payment.widget.paymentSchema).toBe('Dual');
      const txn = cp.payInvoice(payment.transactionId, 'Authorized');
      await cp.notify(`${t.url}/payments/cloudpayments/${id2}/pay`, 'pk_cp_test', { TransactionId: txn.TransactionId, Amount: '40.00', Currency: 'RUB', Status: 'Authorized', InvoiceId: payment.transactionId, AccountId: 'k2' });
      return { id: payment.transactionId as string, txn };
    };
    const a = await mk();
    const captured = await t.gql('mutation($id: ID!) { capturePayment(id: $id, amount: "25.00") { status amount } }', { id: a.id }, org.token);
    expect(captured.body.data.capturePayment).toEqual({ status: 'CONFIRMED', amount: '25.00' });
    expect(cp.requests.filter((q) => q.path === 'payments/confirm').at(-1)).toMatchObject({ requestId: `capture-${a.id}-${a.txn.TransactionId}-25.00`, body: { TransactionId: a.txn.TransactionId, Amount: 25 } });
    const b = await mk();
    expect((await t.gql('mutation($id: ID!) { voidPayment(id: $id) { status } }', { id: b.id }, org.token)).body.data.voidPayment.status).toBe('CANCELLED');
    expect(cp.transactions.get(b.txn.TransactionId)?.Status).toBe('Cancelled');
  });

  describe('two-stage captures credit exactly what the gateway captured', () => {
    let org: { orgId: string; token: string };
    let gw2: string;
    beforeAll(async () => {
      org = await makeOrg(t.deps);
      await t.gql('mutation { upsertClub(input: { id: "c3", name: "Three" }) { id } upsertClient(input: { id: "k3", clubId: "c3" }) { id } }', {}, org.token);
      const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: org.orgId, type: 'CLOUDPAYMENTS', publicId: 'pk_cp_test', apiSecret: SECRET, twoStage: true } }, org.token);
      gw2 = gw.body.data.configurePaymentGateway.id;
    });
    const hold = async (amount = '100.00') => {
      const r = await t.gql('mutation($a: Decimal!) { initiateTopUpPayment(input: { clientId: "k3", clubId: "c3", amount: $a }) { transactionId } }', { a: amount }, org.token);
      const id = r.body.data.initiateTopUpPayment.transactionId as string;
      const txn = cp.payInvoice(id, 'Authorized');
      await cp.notify(`${t.url}/payments/cloudpayments/${gw2}/pay`, 'pk_cp_test', { TransactionId: txn.TransactionId, Amount: amount, Currency: 'RUB', Status: 'Authorized', InvoiceId: id, AccountId: 'k3', GatewayName: 'Test', OperationType: 'Payment' });
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).authorizedAmount?.toFixed(2)).toBe(amount);
      return { id, txn };
    };
    const capture = (id: string, amount?: string) =>
      t.gql('mutation($id: ID!, $amount: Decimal) { capturePayment(id: $id, amount: $amount) { status amount } }', { id, amount }, org.token);
    const credited = async (id: string) => (await t.deps.db.ledgerEntry.findMany({ where: { paymentId: id, kind: 'TOP_UP' } })).map((e) => e.amount.toFixed(2));

    it('a capture of 10.00 times out; a retry of the whole hold is refused; the same 10.00 again finishes it and credits 10.00', async () => {
      const { id, txn } = await hold();
      cp.dropAnswers('payments/confirm', 3); // executed by the gateway, every answer lost (the client's retries included)
      const first = await capture(id, '10.00');
      expect(first.body.errors?.[0]).toMatchObject({ extensions: { code: 'GATEWAY_ERROR' }, message: expect.stringMatching(/retrying with the same input is safe/) });
      expect(cp.transactions.get(txn.TransactionId)).toMatchObject({ Status: 'Completed', Amount: 10 });
      const calls = cp.requests.filter((q) => q.path === 'payments/confirm').length;

      const whole = await capture(id);
      expect(whole.body.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringMatching(/capture of 10.00 RUB was already asked/) });
      expect(cp.requests.filter((q) => q.path === 'payments/confirm')).toHaveLength(calls); // refused before calling out
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('AUTHORIZED');

      expect((await capture(id, '10.00')).body.data.capturePayment).toEqual({ status: 'CONFIRMED', amount: '10.00' });
      await waitFor(() => credited(id), (c) => c.length === 1);
      expect(await credited(id)).toEqual(['10.00']);
      expect(await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).toMatchObject({ capturedAmount: expect.anything() });
      // a capture of a CONFIRMED payment changes nothing, whatever the amount
      expect((await capture(id, '5.00')).body.data.capturePayment).toEqual({ status: 'CONFIRMED', amount: '10.00' });
    });

    it('two concurrent captures of different amounts: one is refused, the one the gateway made is credited', async () => {
      const { id, txn } = await hold();
      cp.delayMs = 200;
      let answers;
      try {
        answers = await Promise.all([capture(id, '30.00'), capture(id, '100.00')]);
      } finally {
        cp.delayMs = 0;
      }
      expect(answers.map((a) => a.body.errors?.[0]?.extensions?.code ?? 'ok').sort()).toEqual(['CONFLICT', 'ok']);
      const captured = cp.transactions.get(txn.TransactionId)!.Amount.toFixed(2);
      await waitFor(() => credited(id), (c) => c.length === 1);
      expect(await credited(id)).toEqual([captured]);
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).amount.toFixed(2)).toBe(captured);
    });

    it('a void after the payer authorized again voids the new hold, not the answer remembered for the first', async () => {
      const { id, txn } = await hold('30.00');
      const voidIt = () => t.gql('mutation($id: ID!) { voidPayment(id: $id) { status } }', { id }, org.token);
      expect((await voidIt()).body.data.voidPayment.status).toBe('CANCELLED');
      expect(cp.transactions.get(txn.TransactionId)?.Status).toBe('Cancelled');
      const again = cp.payInvoice(id, 'Authorized'); // the payer paid again: a second hold
      await cp.notify(`${t.url}/payments/cloudpayments/${gw2}/pay`, 'pk_cp_test', { TransactionId: again.TransactionId, Amount: '30.00', Currency: 'RUB', Status: 'Authorized', InvoiceId: id, AccountId: 'k3', GatewayName: 'Test', OperationType: 'Payment' });
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('AUTHORIZED');
      expect((await voidIt()).body.data.voidPayment.status).toBe('CANCELLED');
      expect(cp.transactions.get(again.TransactionId)?.Status).toBe('Cancelled');
    });

    it('a Confirm notification for part of the hold (captured in the dashboard) credits that part', async () => {
      const { id, txn } = await hold();
      await cp.notify(`${t.url}/payments/cloudpayments/${gw2}/confirm`, 'pk_cp_test', { TransactionId: txn.TransactionId, Amount: '60.00', Currency: 'RUB', Status: 'Completed', InvoiceId: id, AccountId: 'k3' });
      await waitFor(() => credited(id), (c) => c.length === 1);
      expect(await credited(id)).toEqual(['60.00']);
      // more than was authorized is never applied
      const other = await hold('20.00');
      await cp.notify(`${t.url}/payments/cloudpayments/${gw2}/confirm`, 'pk_cp_test', { TransactionId: other.txn.TransactionId, Amount: '20.01', Currency: 'RUB', Status: 'Completed', InvoiceId: other.id, AccountId: 'k3' });
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: other.id } })).status).toBe('AUTHORIZED');
    });
  });

  it('reconcilePayment finds a Pay that never arrived with v2/payments/find', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const { transactionId } = (await initiate({ amount: 9 })).body.data.initiateTopUpPayment;
    cp.payInvoice(transactionId);
    const res = await t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { status } }', { id: transactionId }, shop.token);
    expect(res.body.data.reconcilePayment.status).toBe('CONFIRMED');
    expect(cp.requests.filter((q) => q.path === 'v2/payments/find').at(-1)?.body).toEqual({ InvoiceId: transactionId });
    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 9));
  });

  it('rides out 429s from the 5-concurrent-request limit: retried with the same X-Request-ID', async () => {
    cp.delayMs = 150;
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => initiate({ amount: 1 })));
      expect(results.every((r) => r.body.data?.initiateTopUpPayment?.paymentUrl)).toBe(true);
      const limited = cp.requests.filter((q) => q.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      for (const q of limited) expect(cp.requests.some((o) => o.requestId === q.requestId && o.status === 200)).toBe(true);
    } finally {
      cp.delayMs = 0;
    }
  });
});

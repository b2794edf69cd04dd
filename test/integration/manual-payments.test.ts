// Money by hand: recordManualPayment (cash, a bank transfer: a CONFIRMED MANUAL payment with no
// gateway, credited once) and markPaymentPaid (a PENDING gateway payment paid another way: its
// order cancelled at the gateway, then confirmed by staff; a Pay that still comes is a double
// payment, recorded and never credited).
import { SandboxStore } from '../../src/sandbox/store';
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { nextTransactionId, payFields, sendNotification } from '../helpers/callbacks';
import { balanceOf, ledgerInvariant, makeShop, outboxDrained, topUp, type Shop, plus } from '../helpers/fixtures';

const RECORD = 'mutation($i: ManualPaymentInput!) { recordManualPayment(input: $i) { id status amount currency gatewayType gatewayTransactionId confirmedAt documentNumber } }';
const MARK = 'mutation($id: ID!, $reason: String!, $doc: String) { markPaymentPaid(id: $id, reason: $reason, documentNumber: $doc) { id status confirmedAt documentNumber } }';
const HISTORY = 'query($id: ID!) { payment(id: $id) { status history { kind fromStatus toStatus actor reason } } }';
const REFUND = 'mutation($i: RefundInput!) { refundPayment(input: $i) { success refundId amount message } }';

describe('money by hand', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('manualpayments', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const record = (input: Record<string, unknown> = {}, token = shop.token) =>
    t.gql(RECORD, { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '250.50', method: 'CASH', ...input } }, token);
  const mark = (id: string, reason = 'bank transfer arrived', doc: string | null = 'PP-1077', token = shop.token) => t.gql(MARK, { id, reason, doc }, token);
  const pay = (id: string, extra = {}) => sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '500.00', extra), { secret: shop.apiSecret });
  const credits = (paymentId: string) => t.deps.db.ledgerEntry.count({ where: { paymentId, kind: 'TOP_UP' } });
  const paymentCount = () => t.deps.db.payment.count({ where: { organizationId: shop.orgId } });
  const codeOf = (res: { body: any }) => res.body.errors?.[0]?.extensions?.code;
  const store = () => new SandboxStore(t.deps.redis, t.deps.config.queuePrefix);
  const refundAtGateway = (invoiceId: string, paymentTransactionId: string, amount = '500.00') => sendNotification(t.url, shop.gatewayId, 'refund',
    { TransactionId: nextTransactionId(), PaymentTransactionId: paymentTransactionId, Amount: amount, DateTime: '2026-12-03 12:00:00', OperationType: 'Refund', InvoiceId: invoiceId, AccountId: shop.clientId },
    { secret: shop.apiSecret });

  describe('recordManualPayment', () => {
    it('records a CONFIRMED MANUAL payment with no gateway, credits it once, and tells partners PAYMENT_RECEIVED', async () => {
      const before = await balanceOf(t, shop);
      const res = await record({ method: 'BANK_TRANSFER', documentNumber: 'PP-0001', description: 'Desk top-up' });
      const p = res.body.data.recordManualPayment;
      expect(p).toMatchObject({ status: 'CONFIRMED', amount: '250.50', currency: 'RUB', gatewayType: 'MANUAL', gatewayTransactionId: null, documentNumber: 'PP-0001' });
      const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: p.id } });
      expect([row.gatewayId, row.environment, (row.metadata as any).method]).toEqual([null, 'TEST', 'BANK_TRANSFER']);
      await outboxDrained(t);
      expect(await credits(p.id)).toBe(1);
      expect(await balanceOf(t, shop)).toBe(plus(before, 250.5));
      const history = (await t.gql(HISTORY, { id: p.id }, shop.token)).body.data.payment.history;
      expect(history).toEqual([expect.objectContaining({ kind: 'STATUS', fromStatus: null, toStatus: 'CONFIRMED', reason: 'paid by bank transfer, recorded by staff (document PP-0001)' })]);
      const events = await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'PAYMENT_RECEIVED' } } });
      expect(events.filter((e) => (e.payload as any).message.data.id === p.id)).toHaveLength(1);
      const listed = await t.gql('{ payments(filter: { gatewayType: MANUAL }) { totalCount edges { node { id } } } }', {}, shop.token);
      expect(listed.body.data.payments.edges.map((e: any) => e.node.id)).toContain(p.id);
    });

    it('once per idempotency key, also when the same request races itself; other input under the key is CONFLICT', async () => {
      const answers = await Promise.all(Array.from({ length: 5 }, () => record({ amount: '10', idempotencyKey: 'desk-7' })));
      const ids = new Set(answers.map((a) => a.body.data?.recordManualPayment?.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      await outboxDrained(t);
      expect(await credits(id)).toBe(1);
      expect(codeOf(await record({ amount: '11', idempotencyKey: 'desk-7' }))).toBe('CONFLICT');
      // a top-up's key is not a manual payment's
      await topUp(t, shop, { idempotencyKey: 'shared-key' });
      expect(codeOf(await record({ idempotencyKey: 'shared-key' }))).toBe('CONFLICT');
      const { balance, sum } = await ledgerInvariant(t, shop);
      expect(balance).toBe(sum);
    });

    it.each([
      ['zero', { amount: '0' }, 'BAD_USER_INPUT'],
      ['negative', { amount: '-5' }, 'BAD_USER_INPUT'],
      ['too many decimals', { amount: '1.001' }, 'BAD_USER_INPUT'],
      ['a currency the balance is not kept in', { currency: 'USD' }, 'BAD_USER_INPUT'],
      ['an unknown currency', { currency: 'XXQ' }, 'BAD_USER_INPUT'],
      ['an unknown client', { clientId: 'client_nobody' }, 'NOT_FOUND'],
      ['an unknown club', { clubId: 'club_nowhere' }, 'BAD_USER_INPUT'],
      ['a long document number', { documentNumber: 'x'.repeat(65) }, 'BAD_USER_INPUT'],
      ['an unknown method', { method: 'CHEQUE' }, 'BAD_USER_INPUT'],
    ])('refuses %s and writes nothing', async (_what, input, code) => {
      const before = await paymentCount();
      const res = await record(input);
      expect(res.body.data?.recordManualPayment ?? null).toBeNull();
      expect(codeOf(res)).toBe(code);
      expect(await paymentCount()).toBe(before);
    });

    it('a VIEWER may not record; a LIVE key credits the LIVE balance; another organization\'s client is unknown', async () => {
      const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
      const before = await paymentCount();
      expect(codeOf(await record({}, viewer.token))).toBe('FORBIDDEN');
      expect(await paymentCount()).toBe(before);

      const testBefore = await balanceOf(t, shop);
      const live = await record({ amount: '40' }, shop.liveToken);
      const id = live.body.data.recordManualPayment.id;
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).environment).toBe('LIVE');
      await outboxDrained(t);
      expect((await ledgerInvariant(t, shop, shop.clientId, 'LIVE')).balance).toBe('40.00');
      expect(await balanceOf(t, shop)).toBe(testBefore);
      expect((await t.gql(HISTORY, { id }, shop.token)).body.data.payment).toBeNull(); // a TEST key does not see it

      const other = await makeShop(t, { clientId: 'client_other' });
      expect(codeOf(await record({ clientId: 'client_other' }))).toBe('NOT_FOUND');
      expect(await t.deps.db.payment.count({ where: { organizationId: other.orgId } })).toBe(0);
    });

    it('refundPayment gives the money back by hand: recorded and debited, no gateway called, never above what is left', async () => {
      const { id } = (await record({ amount: '100' })).body.data.recordManualPayment;
      await outboxDrained(t);
      const before = await balanceOf(t, shop);
      const part = await t.gql(REFUND, { i: { transactionId: id, amount: '30', reason: 'returned at the desk' } }, shop.token);
      expect(part.body.data.refundPayment).toMatchObject({ success: true, amount: '30.00', message: null });
      const refund = await t.deps.db.refund.findUniqueOrThrow({ where: { id: part.body.data.refundPayment.refundId } });
      expect([refund.status, refund.gatewayRefundId]).toEqual(['SUCCEEDED', null]);
      expect(codeOf(await t.gql(REFUND, { i: { transactionId: id, amount: '70.01' } }, shop.token))).toBe('BAD_USER_INPUT');
      const rest = await t.gql(REFUND, { i: { transactionId: id } }, shop.token);
      expect(rest.body.data.refundPayment).toMatchObject({ success: true, amount: '70.00' });
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe(plus(before, -100));
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('REFUNDED');
      const { balance, sum } = await ledgerInvariant(t, shop);
      expect(balance).toBe(sum);
    });

    it('a refund by hand is never more than the balance still holds (cash for money already spent is refused)', async () => {
      const { id } = (await record({ amount: '80', documentNumber: 'CASH-80' })).body.data.recordManualPayment;
      await outboxDrained(t);
      const balance = await balanceOf(t, shop);
      await t.gql('mutation($a: Decimal!) { debitBalance(input: { clientId: "client_xyz", amount: $a, reason: "spent" }) { id } }', { a: plus(balance, -30) }, shop.token);
      const refused = await t.gql(REFUND, { i: { transactionId: id } }, shop.token);
      expect(codeOf(refused)).toBe('BAD_USER_INPUT');
      expect(refused.body.errors?.[0].message).toMatch(/balance holds 30.00 RUB/);
      expect(await t.deps.db.refund.count({ where: { paymentId: id } })).toBe(0);
      expect((await t.gql(REFUND, { i: { transactionId: id, amount: '30' } }, shop.token)).body.data.refundPayment.success).toBe(true);
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe('0.00');
    });

    it('a payment document is recorded once: a second call naming it is CONFLICT, also when calls race', async () => {
      const answers = await Promise.all([1, 2, 3].map(() => record({ amount: '5', documentNumber: 'PP-ONCE' })));
      expect(answers.filter((a) => a.body.data?.recordManualPayment).length).toBe(1);
      expect(answers.filter((a) => codeOf(a) === 'CONFLICT').length).toBe(2);
      expect(await t.deps.db.payment.count({ where: { organizationId: shop.orgId, documentNumber: 'PP-ONCE' } })).toBe(1);
      // another environment keeps its own documents
      expect((await record({ amount: '5', documentNumber: 'PP-ONCE' }, shop.liveToken)).body.data.recordManualPayment.status).toBe('CONFIRMED');
    });

    it('MANUAL is built in: it cannot be configured as a gateway, and the database refuses such a row', async () => {
      const res = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: shop.orgId, type: 'MANUAL', publicId: 'pk', apiSecret: 'secret' } }, shop.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await t.deps.db.paymentGateway.count({ where: { organizationId: shop.orgId, type: 'MANUAL' } })).toBe(0);
      await expect(t.deps.db.$executeRaw`UPDATE "Payment" SET "gatewayId" = NULL WHERE "organizationId" = ${shop.orgId} AND "gatewayType" <> 'MANUAL'`).rejects.toThrow(/Payment_gateway_unless_manual/);
    });
  });

  describe('markPaymentPaid', () => {
    it('confirms a PENDING payment as a staff action: credited once, its document kept, the gateway order cancelled', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await outboxDrained(t); // earlier tests' credits land before this one counts
      const before = await balanceOf(t, shop);
      const res = await mark(id);
      expect(res.body.data.markPaymentPaid).toMatchObject({ id, status: 'CONFIRMED', documentNumber: 'PP-1077' });
      await outboxDrained(t);
      expect(await credits(id)).toBe(1);
      expect(await balanceOf(t, shop)).toBe(plus(before, 500));
      const history = (await t.gql(HISTORY, { id }, shop.token)).body.data.payment.history;
      expect(history.at(-1)).toMatchObject({ kind: 'STATUS', fromStatus: 'PENDING', toStatus: 'CONFIRMED', reason: 'marked paid by staff: bank transfer arrived (document PP-1077)' });
      const { gatewayOrderId } = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      const order = await new SandboxStore(t.deps.redis, t.deps.config.queuePrefix).orderById(gatewayOrderId!);
      expect(order?.status).toBe('Cancelled');
      // No new attempt at the gateway: a Check is declined.
      const check = await sendNotification(t.url, shop.gatewayId, 'check', payFields(id, shop.clientId), { secret: shop.apiSecret });
      expect(check.body.code).not.toBe(0);
      // Asked again (a retry after a timeout): the same answer, no second credit.
      expect((await mark(id)).body.data.markPaymentPaid.status).toBe('CONFIRMED');
      await outboxDrained(t);
      expect(await credits(id)).toBe(1);
    });

    it('a Pay that still comes is a double payment: answered, recorded once, never credited', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await mark(id);
      await outboxDrained(t);
      const before = await balanceOf(t, shop);
      const fields = payFields(id, shop.clientId);
      const answers = await Promise.all([1, 2, 3].map(() => sendNotification(t.url, shop.gatewayId, 'pay', fields, { secret: shop.apiSecret })));
      expect(answers.map((a) => [a.status, a.body.code])).toEqual([[200, 0], [200, 0], [200, 0]]);
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe(before);
      expect(await credits(id)).toBe(1);
      const events = await t.deps.db.paymentEvent.findMany({ where: { paymentId: id, code: 'DOUBLE_PAYMENT' } });
      expect(events).toHaveLength(1);
      expect(events[0].reason).toMatch(new RegExp(`the client paid twice: .*transaction ${fields.TransactionId}`));
      // one item for staff, and partners told
      const items = await t.deps.db.attentionItem.findMany({ where: { paymentId: id, kind: 'DOUBLE_PAYMENT' } });
      expect(items).toHaveLength(1);
      const told = await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'ATTENTION_NEEDED' } } });
      expect(told.filter((e) => (e.payload as any).message.data.paymentId === id)).toHaveLength(1);
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('CONFIRMED');
    });

    it('a Pay racing the staff action: exactly one of them confirms it, and the money is credited once', async () => {
      for (let i = 0; i < 3; i++) {
        const { transactionId: id } = await topUp(t, shop);
        const [marked] = await Promise.all([mark(id), pay(id)]);
        await outboxDrained(t);
        expect(await credits(id)).toBe(1);
        const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
        expect(p.status).toBe('CONFIRMED');
        // Either the staff action won (then the Pay is a double payment) or the gateway did (then it is refused).
        if (marked.body.errors) expect(codeOf(marked)).toBe('CONFLICT');
        else expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'DOUBLE_PAYMENT' } })).toBe(1);
      }
      const { balance, sum } = await ledgerInvariant(t, shop);
      expect(balance).toBe(sum);
    });

    it('a declined or cancelled payment may be marked paid too (its order cancelled first): a later Pay is a double payment', async () => {
      for (const how of ['fail', 'cancel'] as const) {
        const { transactionId: id } = await topUp(t, shop);
        if (how === 'fail') await sendNotification(t.url, shop.gatewayId, 'fail', payFields(id, shop.clientId), { secret: shop.apiSecret });
        else await t.gql('mutation($id: ID!) { cancelPayment(id: $id) { status } }', { id }, shop.token);
        expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe(how === 'fail' ? 'FAILED' : 'CANCELLED');
        expect((await mark(id)).body.data.markPaymentPaid.status).toBe('CONFIRMED');
        const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
        expect([row.failureCode, row.failureReason]).toEqual([null, null]);
        expect((await pay(id)).body.code).toBe(0);
        await outboxDrained(t);
        expect(await credits(id)).toBe(1);
        expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'DOUBLE_PAYMENT' } })).toBe(1);
      }
    });

    it('asks the gateway first: a Pay that is late or lost is applied, and the payment is paid, not marked paid', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await store().saveTransaction({
        id: await store().nextTransactionId(), gatewayId: shop.gatewayId, invoiceId: id, accountId: shop.clientId, amount: '500.00', currency: 'RUB',
        status: 'Completed', operationType: 'Payment', reason: 'Approved', reasonCode: 0, refunded: '0', createdAt: new Date().toISOString(),
      });
      const res = await mark(id);
      expect(codeOf(res)).toBe('CONFLICT');
      expect(res.body.errors?.[0].message).toMatch(/the gateway already took the money/);
      await outboxDrained(t);
      const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      expect([row.status, (row.metadata as any).confirmedBy, await credits(id)]).toEqual(['CONFIRMED', undefined, 1]);
    });

    it('refunding the double payment at the gateway leaves the staff credit alone (a note for a person)', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await mark(id);
      const fields = payFields(id, shop.clientId);
      await sendNotification(t.url, shop.gatewayId, 'pay', fields, { secret: shop.apiSecret });
      await outboxDrained(t);
      const before = await balanceOf(t, shop);
      expect((await refundAtGateway(id, String(fields.TransactionId))).body.code).toBe(0);
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe(before);
      const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      expect([row.status, row.refundedAmount.toFixed(2)]).toEqual(['CONFIRMED', '0.00']);
      expect(await t.deps.db.refund.count({ where: { paymentId: id } })).toBe(0);
      expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'REFUND_OF_UNCREDITED' } })).toBe(1);
    });

    it('so does a refund of a second payment for an invoice paid at the gateway; the credited one is still booked', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await pay(id);
      const second = payFields(id, shop.clientId);
      await sendNotification(t.url, shop.gatewayId, 'pay', second, { secret: shop.apiSecret });
      await outboxDrained(t);
      const before = await balanceOf(t, shop);
      await refundAtGateway(id, String(second.TransactionId));
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe(before);
      expect(await t.deps.db.refund.count({ where: { paymentId: id } })).toBe(0);
      const { gatewayTransactionId } = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      await refundAtGateway(id, gatewayTransactionId!, '100.00');
      await outboxDrained(t);
      expect(await balanceOf(t, shop)).toBe(plus(before, -100));
    });

    it('a payment staff marked paid is refunded by hand, never through the gateway', async () => {
      const { transactionId: id } = await topUp(t, shop);
      await mark(id);
      await outboxDrained(t);
      const res = await t.gql(REFUND, { i: { transactionId: id, amount: '200' } }, shop.token);
      expect(res.body.data.refundPayment).toMatchObject({ success: true, amount: '200.00' });
      const refund = await t.deps.db.refund.findFirstOrThrow({ where: { paymentId: id } });
      expect([refund.status, refund.gatewayRefundId]).toEqual(['SUCCEEDED', null]);
      await outboxDrained(t);
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id } })).status).toBe('PARTIALLY_REFUNDED');
    });

    it('refuses what is not PENDING, bad input, a VIEWER, another environment and another organization, changing nothing', async () => {
      const { transactionId: paid } = await topUp(t, shop);
      await pay(paid);
      const refused = await mark(paid);
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(refused.body.errors?.[0].message).toMatch(/the gateway already took the money/);
      const { transactionId: held } = await topUp(t, shop);
      await t.deps.db.payment.update({ where: { id: held }, data: { status: 'AUTHORIZED' } });
      expect(codeOf(await mark(held))).toBe('CONFLICT');

      const { transactionId: id } = await topUp(t, shop);
      expect(codeOf(await mark(id, '  '))).toBe('BAD_USER_INPUT');
      expect(codeOf(await mark(id, 'ok', 'x'.repeat(65)))).toBe('BAD_USER_INPUT');
      const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
      expect(codeOf(await mark(id, 'ok', null, viewer.token))).toBe('FORBIDDEN');
      expect(codeOf(await mark(id, 'ok', null, shop.liveToken))).toBe('NOT_FOUND');
      const other = await makeShop(t);
      expect(codeOf(await mark(id, 'ok', null, other.token))).toBe('NOT_FOUND');
      const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id } });
      expect([row.status, row.documentNumber]).toEqual(['PENDING', null]);
      expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id } })).toBe(1);
    });
  });
});

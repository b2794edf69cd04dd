// The sandbox retries undelivered notifications on CloudPayments' schedule (1, 2, 5, 10, 30 min…).
import { buildNotification, RETRY_DELAYS_MS } from '../../src/sandbox/notifier';
import { retrySandboxNotification, sandboxNotifyJob, scheduleSandboxRetry } from '../../src/sandbox/retries';
import { startTestApp, type TestApp } from '../helpers/app';
import { payFields } from '../helpers/callbacks';
import { makeShop, topUp } from '../helpers/fixtures';

describe('sandbox notification retries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sandboxretry');
  });
  afterAll(() => t.close());

  it('schedules an undelivered notification a minute later, then backs off like CloudPayments', async () => {
    const shop = await makeShop(t);
    const { transactionId } = await topUp(t, shop);
    const n = buildNotification(shop.gatewayId, 'pay', payFields(transactionId, shop.clientId));
    await scheduleSandboxRetry(t.deps, n);
    const [job] = await t.deps.queues.sandbox.getDelayed();
    expect(job.opts.delay).toBe(60_000);
    expect(job.opts.attempts).toBe(100);
    expect([1, 2, 3, 4, 5, 6].map(sandboxNotifyJob.backoff!)).toEqual([...RETRY_DELAYS_MS.slice(1), RETRY_DELAYS_MS[4], RETRY_DELAYS_MS[4]]);

    // When the retry runs, the notification is delivered and applied.
    await retrySandboxNotification(t.deps, job.data);
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).status).toBe('CONFIRMED');
  });

  it('a retry that is still not answered with code 0 fails, so BullMQ tries again', async () => {
    const shop = await makeShop(t);
    // A Refund for a payment not settled yet is answered "later" (HTTP 503).
    const { transactionId } = await topUp(t, shop);
    const early = buildNotification(shop.gatewayId, 'refund', { TransactionId: '1', PaymentTransactionId: '2', Amount: '1.00', InvoiceId: transactionId });
    await expect(retrySandboxNotification(t.deps, early)).rejects.toThrow(/retrying/);
  });
});

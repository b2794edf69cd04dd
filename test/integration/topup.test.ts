// Top-ups end to end over real HTTP: GraphQL → sandbox checkout → signed Check/Pay callbacks →
// outbox → BullMQ credit worker → balance.
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, ledgerInvariant, makeShop, SEED_STATUS, topUp, type Shop, outboxDrained, plus } from '../helpers/fixtures';
import { answer3ds, CARDS, payWithCard, submitCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

describe('top-up through the sandbox gateway', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('topup', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const status = async (id: string) => (await t.gql(SEED_STATUS, { transactionId: id }, shop.token)).body.data.payment;

  it('pays with 4111…, redirects to returnUrl and credits the balance once', async () => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const { paymentUrl, transactionId, expiresAt } = await topUp(t, shop);
    expect(paymentUrl).toMatch(new RegExp(`^${t.url}/sandbox/checkout/[0-9a-f]{16}$`));
    expect(transactionId).toMatch(/^pay_/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);

    const page = await fetch(paymentUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    for (const ac of ['cc-number', 'cc-exp', 'cc-csc', 'cc-name']) expect(html).toContain(`autocomplete="${ac}"`);
    expect(html).toContain('500.00 RUB');

    const res = await payWithCard(paymentUrl, CARDS.success);
    expect(res.status).toBe(303);
    expect(res.location).toBe('https://yourapp.example.com/payment/success');

    const paid = await status(transactionId);
    expect(paid).toMatchObject({ id: transactionId, status: 'CONFIRMED', amount: '500.00', clientId: shop.clientId, gatewayTransactionId: expect.stringMatching(/^\d+$/) });
    expect(paid.confirmedAt).not.toBeNull();
    expect(paid.history.map((e: any) => [e.fromStatus, e.toStatus])).toEqual([[null, 'PENDING'], ['PENDING', 'CONFIRMED']]);

    await waitFor(() => balanceOf(t, shop), (b) => b === plus(before, 500));
    const inv = await ledgerInvariant(t, shop);
    expect(inv.balance).toBe(inv.sum);
    const ledger = await t.gql('query($id: ID!) { client(id: $id) { ledger { edges { node { kind amount balanceAfter paymentId } } } } }', { id: shop.clientId }, shop.token);
    expect(ledger.body.data.client.ledger.edges[0].node).toEqual({ kind: 'TOP_UP', amount: '500.00', balanceAfter: inv.balance, paymentId: transactionId });

    // the page cannot be paid twice
    const again = await submitCard(paymentUrl, CARDS.success);
    expect(again.status).toBe(409);
  });

  it('stores every callback with its verdict and never a card number', async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop);
    await payWithCard(paymentUrl, CARDS.success);
    const callbacks = await t.deps.db.gatewayCallback.findMany({ where: { paymentId: transactionId }, orderBy: { receivedAt: 'asc' } });
    expect(callbacks.map((c) => [c.kind, c.verdict])).toEqual([['check', 'VALID'], ['pay', 'VALID']]);
    expect(callbacks[1].body).toMatchObject({ CardFirstSix: '411111', TestMode: '1' });
    const all = JSON.stringify(await t.deps.db.gatewayCallback.findMany()) + t.logs();
    expect(all).not.toContain('4111111111111111');
    expect(all).not.toContain('4111 1111 1111 1111');
  });

  it('3-D Secure: 4242… asks, Confirm pays', async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: '10.50' });
    const page = await submitCard(paymentUrl, CARDS.threeDs);
    expect(page.html).toContain('>Confirm<');
    expect(page.html).toContain('>Cancel<');
    expect(page.html).not.toContain('4242424242424242');
    const done = await answer3ds(paymentUrl, page, 'confirm');
    expect(done.location).toBe('https://yourapp.example.com/payment/success');
    expect((await status(transactionId)).status).toBe('CONFIRMED');
  });

  it('3-D Secure: 5500… Cancel declines with 5206 and redirects with ?status=failed', async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop);
    const done = await payWithCard(paymentUrl, CARDS.threeDsConfirm, 'cancel');
    expect(done.location).toBe('https://yourapp.example.com/payment/success?status=failed');
    const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    expect([p.status, p.failureCode, p.failureReason]).toEqual(['FAILED', '5206', 'AuthenticationFailed']);
  });

  it.each([
    [CARDS.insufficientFunds, '5051'],
    [CARDS.insufficientAfter3ds, '5051'],
    [CARDS.bankDecline, '5005'],
    [CARDS.unknownButValid, '5014'],
  ])('%s is declined with ReasonCode %s, nothing credited', async (card, code) => {
    await outboxDrained(t); // earlier tests' credits land before this one counts
    const before = await balanceOf(t, shop);
    const { paymentUrl, transactionId } = await topUp(t, shop);
    const res = await payWithCard(paymentUrl, card);
    expect(res.location).toContain('status=failed');
    const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    expect([p.status, p.failureCode]).toEqual(['FAILED', code]);
    expect(await balanceOf(t, shop)).toBe(before);
  });

  it('a failed payment may be retried with another card until it expires', async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 7 });
    await payWithCard(paymentUrl, CARDS.bankDecline);
    expect((await status(transactionId)).status).toBe('FAILED');
    await payWithCard(paymentUrl, CARDS.success);
    const p = await status(transactionId);
    expect(p.status).toBe('CONFIRMED');
    expect(p.history.map((e: any) => e.toStatus)).toEqual(['PENDING', 'FAILED', 'CONFIRMED']);
    expect(p.history[2].reason).toMatch(/after the payment was declined/);
    const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    expect([row.failureCode, row.failureReason]).toEqual([null, null]);
  });

  it('rejects a bad card number on the form without charging', async () => {
    const { paymentUrl } = await topUp(t, shop);
    const res = await submitCard(paymentUrl, '4111 1111 1111 1112');
    expect(res.status).toBe(422);
    expect(res.html).toContain('The card number is not valid.');
    const expired = await submitCard(paymentUrl, CARDS.success, { expiry: '01/20' });
    expect(expired.html).toContain('The expiry date');
  });

  it('keeps each merchant\'s orders apart: another organization\'s sandbox credentials cannot rewrite this checkout', async () => {
    const { paymentUrl, transactionId } = await topUp(t, shop, { amount: 500, description: 'Club top-up' });
    const other = await makeShop(t);
    const api = (method: string, body: object) => fetch(`${t.url}/sandbox/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`pk_${other.orgId}:${other.apiSecret}`).toString('base64')}` },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>);
    const theirs = await api('orders/create', { Amount: 1, Currency: 'RUB', Description: 'Pay here (org B)', InvoiceId: transactionId });
    expect(theirs.Success).toBe(true);
    expect(theirs.Model.Url).not.toBe(paymentUrl);
    const page = await (await fetch(paymentUrl)).text();
    expect(page).toContain('Club top-up');
    expect(page).toContain('500.00 RUB');
    expect(page).not.toContain('org B');
    await payWithCard(paymentUrl, CARDS.success);
    expect((await status(transactionId)).status).toBe('CONFIRMED');
    expect(await api('v2/payments/find', { InvoiceId: transactionId })).toMatchObject({ Success: false, Message: 'Not found' });
    expect((await api('orders/cancel', { Id: paymentUrl.split('/').at(-1) })).Success).toBe(false);
  });
});

// adjustBalance: staff correct a balance by hand. An ADJUSTMENT ledger entry (the balance stays
// the sum of its ledger), never below zero even when adjustments race, once per idempotency key,
// a signed BALANCE_ADJUSTED webhook for partners, and nothing for other roles or environments.
import { Webhook } from 'standardwebhooks';
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { ledgerInvariant, makeShop, storedBalance, type Shop } from '../helpers/fixtures';
import { Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/wait';

const ADJUST = 'mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { id kind amount balanceAfter reason } }';

describe('adjustBalance', () => {
  let t: TestApp;
  let shop: Shop;
  const rx = new Receiver();

  beforeAll(async () => {
    await rx.start();
    t = await startTestApp('adjustbalance', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });

  const adjust = (input: Record<string, unknown>, token = shop.token) => t.gql(ADJUST, { i: { clientId: shop.clientId, reason: 'desk correction', ...input } }, token);
  const entries = () => t.deps.db.ledgerEntry.count({ where: { organizationId: shop.orgId, kind: 'ADJUSTMENT' } });

  it('credits and debits by hand as ADJUSTMENT entries, and tells partners with a signed BALANCE_ADJUSTED', async () => {
    const url = rx.on('/adjusted', () => ({ status: 200 }));
    const hook = await t.gql('mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }', { i: { url, events: ['BALANCE_ADJUSTED'] } }, shop.token);
    const { secret } = hook.body.data.createWebhook;

    const up = await adjust({ amount: '150.25', idempotencyKey: 'adj-1' });
    expect(up.body.data.adjustBalance).toMatchObject({ kind: 'ADJUSTMENT', amount: '150.25', balanceAfter: '150.25', reason: 'desk correction' });
    const down = await adjust({ amount: '-50.25', reason: 'wrong desk entry' });
    expect(down.body.data.adjustBalance).toMatchObject({ kind: 'ADJUSTMENT', amount: '-50.25', balanceAfter: '100.00' });
    expect(await storedBalance(t, shop.orgId, shop.clientId)).toBe('100.00');
    const { balance: held, sum } = await ledgerInvariant(t, shop);
    expect(held).toBe(sum);

    const got = await waitFor(async () => rx.at('/adjusted'), (l) => l.length === 2, { timeoutMs: 15_000 });
    const wh = new Webhook(secret);
    const messages = got.map((r) => wh.verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as any);
    expect(messages.map((m) => [m.type, m.environment, m.data.clientId, m.data.amount, m.data.balanceAfter]).sort()).toEqual([
      ['BALANCE_ADJUSTED', 'TEST', shop.clientId, '-50.25', '100.00'],
      ['BALANCE_ADJUSTED', 'TEST', shop.clientId, '150.25', '150.25'],
    ]);
  });

  it('the same idempotency key and input answer the first entry; other input under it is CONFLICT', async () => {
    const before = await entries();
    const first = await adjust({ amount: '5', idempotencyKey: 'adj-same' });
    const again = await adjust({ amount: '5', idempotencyKey: 'adj-same' });
    expect(again.body.data.adjustBalance.id).toBe(first.body.data.adjustBalance.id);
    const other = await adjust({ amount: '6', idempotencyKey: 'adj-same' });
    expect(other.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    // a debit's key is not an adjustment's
    await t.gql('mutation { debitBalance(input: { clientId: "client_xyz", amount: 1, reason: "spend", idempotencyKey: "shared-key" }) { id } }', {}, shop.token);
    expect((await adjust({ amount: '1', idempotencyKey: 'shared-key' })).body.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await entries()).toBe(before + 1);
  });

  it('never below zero: a debit larger than the balance is refused, and racing debits cannot overdraw', async () => {
    const balance = Number(await storedBalance(t, shop.orgId, shop.clientId));
    const refused = await adjust({ amount: `-${balance + 0.01}` });
    expect(refused.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/below zero/), extensions: { code: 'BAD_USER_INPUT' } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => adjust({ amount: `-${(balance / 4).toFixed(2)}` })));
    expect(answers.filter((a) => !a.body.errors).length).toBeLessThanOrEqual(4);
    expect(Number(await storedBalance(t, shop.orgId, shop.clientId))).toBeGreaterThanOrEqual(0);
    const after = await ledgerInvariant(t, shop);
    expect(after.balance).toBe(after.sum);
  });

  it.each([
    ['zero', { amount: '0' }, /greater than zero/],
    ['too many decimals', { amount: '1.001' }, /decimal places/],
    ['no reason', { amount: '1', reason: ' ' }, /reason must not be empty/],
    ['an unknown client', { amount: '1', clientId: 'client_nobody' }, /client_nobody/],
  ])('refuses %s with a typed error and writes nothing', async (_label, input, message) => {
    const before = await entries();
    const res = await adjust(input);
    expect(res.body.errors?.[0].message).toMatch(message);
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(res.body.errors?.[0].extensions?.code);
    expect(await entries()).toBe(before);
  });

  it('a VIEWER may not adjust; a LIVE key moves the LIVE balance only', async () => {
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const refused = await adjust({ amount: '1' }, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    const test = await storedBalance(t, shop.orgId, shop.clientId, 'TEST');
    const live = await adjust({ amount: '7' }, shop.liveToken);
    expect(live.body.data.adjustBalance.balanceAfter).toBe('7.00');
    expect(await storedBalance(t, shop.orgId, shop.clientId, 'LIVE')).toBe('7.00');
    expect(await storedBalance(t, shop.orgId, shop.clientId, 'TEST')).toBe(test);
  });
});

// deletePayments hides payments that never moved money and refuses the rest, one result per id;
// nothing is destroyed, and money that still arrives for a deleted payment is booked (the payment
// is shown again), never lost to a delete.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { payFields, sendNotification } from '../helpers/callbacks';
import { balanceOf, makeShop, outboxDrained, topUp, type Shop, plus } from '../helpers/fixtures';

const DELETE = 'mutation($ids: [ID!]!) { deletePayments(ids: $ids) { id ok code message } }';

describe('deletePayments', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('deletepayments', {}, { workers: true });
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const del = async (ids: string[], token = shop.token) => {
    const res = await t.gql(DELETE, { ids }, token);
    if (res.body.errors) throw Object.assign(new Error(JSON.stringify(res.body.errors)), { res });
    return res.body.data.deletePayments as { id: string; ok: boolean; code: string | null; message: string | null }[];
  };
  const row = (id: string) => t.deps.db.payment.findUniqueOrThrow({ where: { id } });
  const pay = (id: string) => sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId), { secret: shop.apiSecret });
  async function paymentIn(status: 'FAILED' | 'CANCELLED' | 'CONFIRMED' | 'AUTHORIZED' | 'REFUNDED' | 'PARTIALLY_REFUNDED') {
    const { transactionId: id } = await topUp(t, shop);
    await t.deps.db.payment.update({ where: { id }, data: { status } });
    return id;
  }

  it('FAILED and CANCELLED payments are hidden, kept with their history, and listed with deleted: true', async () => {
    const failed = await paymentIn('FAILED');
    const cancelled = await paymentIn('CANCELLED');
    expect(await del([failed, cancelled])).toEqual([
      { id: failed, ok: true, code: null, message: null },
      { id: cancelled, ok: true, code: null, message: null },
    ]);
    for (const id of [failed, cancelled]) {
      const p = await row(id);
      expect(p.deletedAt).toBeInstanceOf(Date);
      const res = await t.gql('query($id: ID!) { payment(id: $id) { status deleted history { kind reason } } }', { id }, shop.token);
      expect(res.body.data.payment).toMatchObject({ deleted: true, history: expect.arrayContaining([{ kind: 'NOTE', reason: 'deleted by staff' }]) });
    }
    const shown = await t.gql('{ payments(first: 100) { edges { node { id } } } }', {}, shop.token);
    expect(shown.body.data.payments.edges.map((e: any) => e.node.id)).not.toEqual(expect.arrayContaining([failed]));
    const hidden = await t.gql('{ payments(filter: { deleted: true }, first: 100) { edges { node { id deleted } } } }', {}, shop.token);
    expect(hidden.body.data.payments.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining([failed, cancelled]));
  });

  it('a PENDING payment is cancelled first (a PAYMENT_CANCELLED event), then hidden', async () => {
    const { transactionId: id } = await topUp(t, shop);
    expect(await del([id])).toEqual([{ id, ok: true, code: null, message: null }]);
    const p = await row(id);
    expect([p.status, p.failureCode, p.deletedAt !== null]).toEqual(['CANCELLED', 'CANCELLED', true]);
    const events = await t.deps.db.outbox.findMany({ where: { kind: 'webhook.event', payload: { path: ['message', 'type'], equals: 'PAYMENT_CANCELLED' } } });
    expect(events.filter((e) => (e.payload as any).message.data.id === id)).toHaveLength(1);
  });

  it.each(['CONFIRMED', 'AUTHORIZED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const)('a %s payment moved money: refused (CONFLICT), nothing changes', async (status) => {
    const id = await paymentIn(status);
    const before = await row(id);
    const [result] = await del([id]);
    expect(result).toMatchObject({ id, ok: false, code: 'CONFLICT', message: expect.stringMatching(/moved money and is never deleted|moved money is never deleted/) });
    expect(await row(id)).toEqual(before);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'DELETED' } })).toBe(0);
  });

  it('a bulk call answers per id, in order, each id once; a refusal does not stop the others', async () => {
    const failed = await paymentIn('FAILED');
    const confirmed = await paymentIn('CONFIRMED');
    const results = await del([confirmed, 'pay_nope', failed, confirmed]);
    expect(results.map((r) => [r.id, r.ok, r.code])).toEqual([[confirmed, false, 'CONFLICT'], ['pay_nope', false, 'NOT_FOUND'], [failed, true, null]]);
  });

  it('deleting twice is fine and writes one history entry', async () => {
    const id = await paymentIn('FAILED');
    await del([id]);
    const first = (await row(id)).deletedAt;
    expect(await del([id])).toEqual([{ id, ok: true, code: null, message: null }]);
    expect((await row(id)).deletedAt).toEqual(first);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'DELETED' } })).toBe(1);
  });

  it('bad calls are refused whole: no ids, more than 500', async () => {
    for (const ids of [[], Array.from({ length: 501 }, (_, i) => `pay_${i}`)]) {
      const res = await t.gql(DELETE, { ids }, shop.token);
      expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('a VIEWER may not delete; a LIVE key does not find a TEST payment', async () => {
    const id = await paymentIn('FAILED');
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const refused = await t.gql(DELETE, { ids: [id] }, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await del([id], shop.liveToken)).toEqual([{ id, ok: false, code: 'NOT_FOUND', message: `payment ${id} not found` }]);
    expect((await row(id)).deletedAt).toBeNull();
  });

  it('a verified Pay for a deleted payment still books the money and shows the payment again', async () => {
    const before = await balanceOf(t, shop);
    const { transactionId: id } = await topUp(t, shop);
    await del([id]);
    const answer = await pay(id);
    expect([answer.status, answer.body.code]).toEqual([200, 0]);
    await outboxDrained(t);
    const p = await row(id);
    expect([p.status, p.deletedAt]).toEqual(['CONFIRMED', null]);
    expect(await balanceOf(t, shop)).toBe(plus(before, 500));
    const history = await t.deps.db.paymentEvent.findMany({ where: { paymentId: id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => h.code)).toEqual(['INITIATED', 'DELETED', 'PAID_AFTER_CLOSE']);
    expect(history.at(-1)!.reason).toMatch(/deleted by staff: shown again/);
  });

  it('a deleted payment takes no new attempt: its Check is declined (code 13)', async () => {
    const id = await paymentIn('FAILED');
    const before = await sendNotification(t.url, shop.gatewayId, 'check', payFields(id, shop.clientId), { secret: shop.apiSecret });
    expect(before.body.code).toBe(0); // a FAILED payment may be retried in the widget…
    await del([id]);
    const after = await sendNotification(t.url, shop.gatewayId, 'check', payFields(id, shop.clientId), { secret: shop.apiSecret });
    expect(after.body.code).toBe(13); // …not once it is deleted
  });

  it('money reported for a deleted payment that needs a person (wrong amount) shows the payment again, with the note', async () => {
    const id = await paymentIn('CANCELLED');
    await del([id]);
    const answer = await sendNotification(t.url, shop.gatewayId, 'pay', payFields(id, shop.clientId, '499.00'), { secret: shop.apiSecret });
    expect(answer.body.code).toBe(0);
    const p = await row(id);
    expect([p.status, p.deletedAt]).toEqual(['CANCELLED', null]);
    expect(await t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'AMOUNT_MISMATCH' } })).toBe(1);
  });

  it('a delete racing the Pay of a PENDING payment: whichever wins, the money is booked once and the payment is shown', async () => {
    for (let round = 0; round < 4; round++) {
      const before = await balanceOf(t, shop);
      const { transactionId: id } = await topUp(t, shop);
      const [deleted, answer] = await Promise.all([del([id]), pay(id)]);
      expect(answer.body.code).toBe(0);
      expect(deleted[0].ok || deleted[0].code === 'CONFLICT').toBe(true);
      await outboxDrained(t);
      const p = await row(id);
      expect([p.status, p.deletedAt]).toEqual(['CONFIRMED', null]);
      expect(await balanceOf(t, shop)).toBe(plus(before, 500));
      expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: id, kind: 'TOP_UP' } })).toBe(1);
    }
  });
});

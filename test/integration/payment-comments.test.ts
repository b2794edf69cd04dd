// Staff comments on a payment: a thread of notes (oldest first, author = the key's name) that
// ADMIN and OWNER append to and nobody edits; text checked; a payment of another organization or
// environment is NOT_FOUND as a missing one is; at most MAX_COMMENTS per payment, even when racing.
import { Client } from 'pg';
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';
import { MAX_COMMENTS } from '../../src/services/payments/add-payment-comment';
import { newId } from '../../src/domain/ids';

const ADD = 'mutation($id: ID!, $text: String!) { addPaymentComment(id: $id, text: $text) { id at author text } }';
const THREAD = 'query($id: ID!) { payment(id: $id) { id comments { id at author text } } }';

describe('payment comments', () => {
  let t: TestApp;
  let shop: Shop;
  let paymentId: string;
  let admin: { id: string; token: string };
  let viewer: { id: string; token: string };
  let pg: Client;

  beforeAll(async () => {
    t = await startTestApp('paymentcomments');
    shop = await makeShop(t);
    paymentId = (await topUp(t, shop)).transactionId;
    admin = await makeToken(t.deps, shop.orgId, 'ADMIN', { environment: 'TEST' });
    await t.deps.db.apiToken.update({ where: { id: admin.id }, data: { name: 'Olga at the desk' } });
    viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    pg = new Client({ connectionString: t.deps.config.databaseUrl.reveal() });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await t.close();
  });

  const add = (text: string, token = admin.token, id = paymentId) => t.gql(ADD, { id, text }, token);
  const stored = (id = paymentId) => t.deps.db.paymentComment.count({ where: { paymentId: id } });

  it('appends notes, trimmed, with the key\'s name; the thread is oldest first on payment(id) and in the list', async () => {
    const first = await add('  Client called: paid by transfer, see bank ref 77.\nWill check tomorrow.\t(O.)  ');
    expect(first.body.data.addPaymentComment).toEqual({
      id: expect.stringMatching(/^cmt_/), at: expect.any(String), author: 'Olga at the desk', text: 'Client called: paid by transfer, see bank ref 77.\nWill check tomorrow.\t(O.)',
    });
    const second = await add('Checked: the money arrived.', shop.token);
    expect(second.body.data.addPaymentComment.author).toBe('initial test owner key');
    const thread = await t.gql(THREAD, { id: paymentId }, viewer.token);
    expect(thread.body.data.payment.comments.map((c: { id: string }) => c.id)).toEqual([first.body.data.addPaymentComment.id, second.body.data.addPaymentComment.id]);
    const listed = await t.gql('query($ids: [ID!]) { payments(filter: { ids: $ids }) { edges { node { id comments { text } } } } }', { ids: [paymentId] }, viewer.token);
    expect(listed.body.data.payments.edges[0].node.comments.map((c: { text: string }) => c.text)).toEqual([
      'Client called: paid by transfer, see bank ref 77.\nWill check tomorrow.\t(O.)', 'Checked: the money arrived.',
    ]);
    // a payment without comments has an empty thread
    const other = (await topUp(t, shop)).transactionId;
    expect((await t.gql(THREAD, { id: other }, viewer.token)).body.data.payment.comments).toEqual([]);
  });

  it('a page of the list reads its payments\' threads in one query', async () => {
    const ids = [paymentId, (await topUp(t, shop)).transactionId, (await topUp(t, shop)).transactionId];
    for (const id of ids.slice(1)) await add(`note on ${id}`, admin.token, id);
    const findMany = jest.spyOn(t.deps.db.paymentComment, 'findMany');
    try {
      const res = await t.gql('query($ids: [ID!]) { payments(filter: { ids: $ids }) { edges { node { id comments { text } } } } }', { ids }, viewer.token);
      const threads = Object.fromEntries(res.body.data.payments.edges.map((e: any) => [e.node.id, e.node.comments.map((c: { text: string }) => c.text)]));
      expect(threads[ids[1]]).toEqual([`note on ${ids[1]}`]);
      expect(threads[ids[2]]).toEqual([`note on ${ids[2]}`]);
      expect(threads[ids[0]]).toHaveLength(2);
      expect(findMany).toHaveBeenCalledTimes(1);
    } finally {
      findMany.mockRestore();
    }
  });

  it('is recorded in the audit log with the payment and the comment', async () => {
    const res = await add('audited note');
    const [entry] = await t.deps.db.auditEntry.findMany({ where: { action: 'addPaymentComment', actorKeyId: admin.id }, orderBy: { at: 'desc' }, take: 1 });
    expect(entry).toMatchObject({ outcome: 'ok', targetIds: [paymentId, res.body.data.addPaymentComment.id], input: { id: paymentId, text: 'audited note' } });
  });

  it('a VIEWER may not comment, and nothing is written', async () => {
    const before = await stored();
    const res = await add('viewer note', viewer.token);
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await stored()).toBe(before);
  });

  it.each([
    ['empty', '', /must not be empty/],
    ['only spaces and line breaks', '  \n\t ', /must not be empty/],
    ['too long', 'x'.repeat(4001), /at most 4000/],
    ['a control character', 'bell \u0007 here', /control characters/],
    ['a NUL', 'a\u0000b', /control characters/],
    ['a right-to-left override', 'invoice \u202Efdp.exe\u202C', /invisible or direction-changing/],
    ['a directional isolate', 'paid \u2067100\u2069', /invisible or direction-changing/],
    ['a C1 control (CSI)', 'red \u009B31m here', /invisible or direction-changing/],
    ['a zero-width space', 'pay\u200Bpal', /invisible or direction-changing/],
    ['a right-to-left mark', 'a\u200Fb', /invisible or direction-changing/],
    ['a line separator', 'one\u2028two', /invisible or direction-changing/],
    ['a paragraph separator', 'one\u2029two', /invisible or direction-changing/],
  ])('refuses %s text with BAD_USER_INPUT and writes nothing', async (_what, text, message) => {
    const before = await stored();
    const res = await add(text);
    expect(res.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field: 'text' } });
    expect(await stored()).toBe(before);
  });

  it('takes emoji sequences and scripts that need zero-width joiners', async () => {
    const family = 'paid by \u{1F468}\u200D\u{1F469}\u200D\u{1F467}, \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645';
    expect((await add(family)).body.data.addPaymentComment.text).toBe(family);
  });

  it('takes 4000 characters exactly', async () => {
    expect((await add('y'.repeat(4000))).body.data.addPaymentComment.text).toHaveLength(4000);
  });

  it('another organization\'s payment, or another environment\'s, is NOT_FOUND exactly as a missing one', async () => {
    const b = await makeOrg(t.deps, 'B');
    const before = await stored();
    const missing = await add('hello', admin.token, 'pay_doesnotexist000000000000');
    const foreign = await add('hello', b.testToken);
    const otherEnv = await add('hello', shop.liveToken);
    for (const res of [missing, foreign, otherEnv]) expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(foreign.body.errors?.[0].message).toBe(`payment ${paymentId} not found`);
    expect(otherEnv.body.errors?.[0].message).toBe(`payment ${paymentId} not found`);
    expect(await stored()).toBe(before);
    // nor do they read the thread
    expect((await t.gql(THREAD, { id: paymentId }, b.testToken)).body.data.payment).toBeNull();
    expect((await t.gql(THREAD, { id: paymentId }, shop.liveToken)).body.data.payment).toBeNull();
  });

  it(`at most ${MAX_COMMENTS} per payment, also when comments race for the last places`, async () => {
    const capped = (await topUp(t, shop)).transactionId;
    const filler = Array.from({ length: MAX_COMMENTS - 2 }, (_, i) => ({
      id: newId('cmt'), organizationId: shop.orgId, environment: 'TEST' as const, paymentId: capped, author: 'filler', text: `note ${i}`,
    }));
    await t.deps.db.paymentComment.createMany({ data: filler });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => add(`racing ${i}`, admin.token, capped)));
    expect(answers.filter((a) => !a.body.errors)).toHaveLength(2);
    const refused = answers.filter((a) => a.body.errors);
    expect(refused.map((a) => a.body.errors?.[0].extensions)).toEqual(Array(4).fill({ code: 'CONFLICT', limit: MAX_COMMENTS }));
    expect(await stored(capped)).toBe(MAX_COMMENTS);
  });

  it('is append-only in Postgres: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const [row] = (await pg.query('SELECT id, text FROM "PaymentComment" WHERE "paymentId" = $1 LIMIT 1', [paymentId])).rows;
    await expect(pg.query(`UPDATE "PaymentComment" SET text = 'rewritten' WHERE id = $1`, [row.id])).rejects.toThrow('append-only');
    await expect(pg.query('DELETE FROM "PaymentComment" WHERE id = $1', [row.id])).rejects.toThrow('append-only');
    await expect(pg.query('TRUNCATE "PaymentComment"')).rejects.toThrow('append-only');
    expect((await pg.query('SELECT text FROM "PaymentComment" WHERE id = $1', [row.id])).rows[0].text).toBe(row.text);
  });
});

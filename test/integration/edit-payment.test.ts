// editPayment: staff correct what a payment says, never what it moved. Each edit is one history
// entry with its actor and changes; bad input, other environments and other roles change nothing.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';

const EDIT = `mutation($id: ID!, $input: EditPaymentInput!) { editPayment(id: $id, input: $input) {
  id status amount description note restrictRefund externalNumber documentNumber documentDate tags } }`;
const HISTORY = 'query($id: ID!) { payment(id: $id) { history { kind fromStatus toStatus actor actorName reason changes { field before after } } } }';

describe('editPayment', () => {
  let t: TestApp;
  let shop: Shop;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp('editpayment');
    shop = await makeShop(t);
    admin = await makeToken(t.deps, shop.orgId, 'ADMIN', { environment: 'TEST' });
    await t.deps.db.apiToken.update({ where: { id: admin.id }, data: { name: 'desk admin' } });
  });
  afterAll(() => t.close());

  const snapshot = (id: string) => t.deps.db.payment.findUniqueOrThrow({ where: { id } });
  const edits = (id: string) => t.deps.db.paymentEvent.count({ where: { paymentId: id, code: 'EDIT' } });

  it('edits the descriptive fields and records who changed what, from what, to what', async () => {
    const { transactionId: id } = await topUp(t, shop, { description: 'Balance top-up' });
    const res = await t.gql(EDIT, { id, input: {
      description: 'Membership, May', note: 'Paid at the desk too: check', restrictRefund: true, externalNumber: 'INV-77',
      documentNumber: 'PP-1234', documentDate: '2026-12-01T00:00:00.000Z', tags: ['may', 'desk', 'may'],
    } }, admin.token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.editPayment).toEqual({
      id, status: 'PENDING', amount: '500.00', description: 'Membership, May', note: 'Paid at the desk too: check', restrictRefund: true,
      externalNumber: 'INV-77', documentNumber: 'PP-1234', documentDate: '2026-12-01T00:00:00.000Z', tags: ['may', 'desk'],
    });
    const history = (await t.gql(HISTORY, { id }, shop.token)).body.data.payment.history;
    expect(history.map((h: any) => h.kind)).toEqual(['STATUS', 'EDIT']);
    expect(history[1]).toMatchObject({ fromStatus: 'PENDING', toStatus: 'PENDING', actor: `token:${admin.id}`, actorName: 'desk admin' });
    expect(history[1].changes).toEqual([
      { field: 'description', before: 'Balance top-up', after: 'Membership, May' },
      { field: 'note', before: null, after: 'Paid at the desk too: check' },
      { field: 'restrictRefund', before: 'false', after: 'true' },
      { field: 'externalNumber', before: null, after: 'INV-77' },
      { field: 'documentNumber', before: null, after: 'PP-1234' },
      { field: 'documentDate', before: null, after: '2026-12-01T00:00:00.000Z' },
      { field: 'tags', before: null, after: 'may, desk' },
    ]);

    // a second edit: its before is the first one's after; an empty text clears
    await t.gql(EDIT, { id, input: { note: '', restrictRefund: false } }, admin.token);
    const again = (await t.gql(HISTORY, { id }, shop.token)).body.data.payment.history.at(-1);
    expect(again.changes).toEqual([
      { field: 'note', before: 'Paid at the desk too: check', after: null },
      { field: 'restrictRefund', before: 'true', after: 'false' },
    ]);
    const stored = await snapshot(id);
    expect([stored.note, stored.restrictRefund, stored.amount.toFixed(2), stored.status]).toEqual([null, false, '500.00', 'PENDING']);
  });

  it('an edit that changes nothing writes nothing', async () => {
    const { transactionId: id } = await topUp(t, shop, { description: 'same' });
    const before = await snapshot(id);
    const res = await t.gql(EDIT, { id, input: { description: 'same', restrictRefund: false } }, admin.token);
    expect(res.body.errors).toBeUndefined();
    expect(await edits(id)).toBe(0);
    expect((await snapshot(id)).updatedAt).toEqual(before.updatedAt);
  });

  it.each([
    ['the amount', '{ amount: "1.00" }'],
    ['the status', '{ status: CONFIRMED }'],
    ['the client', '{ clientId: "someone_else" }'],
  ])('%s is not editable: the input has no such field, and nothing changes', async (_label, input) => {
    const { transactionId: id } = await topUp(t, shop);
    const res = await t.gql(`mutation($id: ID!) { editPayment(id: $id, input: ${input}) { id } }`, { id }, admin.token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const p = await snapshot(id);
    expect([p.amount.toFixed(2), p.status, p.clientId]).toEqual(['500.00', 'PENDING', shop.clientId]);
    expect(await edits(id)).toBe(0);
  });

  it.each([
    ['an external number over 64 characters', { externalNumber: 'x'.repeat(65) }, /externalNumber must be at most 64/],
    ['a note over 2000 characters', { note: 'x'.repeat(2001) }, /note must be at most 2000/],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /at most 20 tags/],
    ['an empty tag', { tags: ['ok', ' '] }, /each tag/],
    ['nothing to edit', {}, /sets no field/],
    ['restrictRefund: null', { restrictRefund: null }, /true or false/],
  ])('refuses %s with a typed error and writes nothing', async (_label, input, message) => {
    const { transactionId: id } = await topUp(t, shop);
    const before = await snapshot(id);
    const res = await t.gql(EDIT, { id, input }, admin.token);
    expect(res.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
    expect(await snapshot(id)).toEqual(before);
    expect(await edits(id)).toBe(0);
  });

  it('a VIEWER may not edit; a LIVE key does not find a TEST payment', async () => {
    const { transactionId: id } = await topUp(t, shop);
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const refused = await t.gql(EDIT, { id, input: { note: 'viewer' } }, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    const live = await t.gql(EDIT, { id, input: { note: 'live' } }, shop.liveToken);
    expect(live.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await snapshot(id)).note).toBeNull();
    expect(await edits(id)).toBe(0);
  });

  it('concurrent edits are each recorded, each before the next one\'s after', async () => {
    const { transactionId: id } = await topUp(t, shop);
    await Promise.all(Array.from({ length: 8 }, (_, i) => t.gql(EDIT, { id, input: { note: `n${i}` } }, admin.token)));
    const history = (await t.gql(HISTORY, { id }, shop.token)).body.data.payment.history.filter((h: any) => h.kind === 'EDIT');
    expect(history).toHaveLength(8);
    for (let i = 1; i < history.length; i++) expect(history[i].changes[0].before).toBe(history[i - 1].changes[0].after);
    expect((await snapshot(id)).note).toBe(history.at(-1).changes[0].after);
  });

  it('an edit is found by the list\'s filters at once', async () => {
    const { transactionId: id } = await topUp(t, shop);
    await t.gql(EDIT, { id, input: { externalNumber: 'INV-LIST-1', note: 'Unusual CASE' } }, admin.token);
    const res = await t.gql('{ payments(filter: { number: "INV-LIST-*", text: "unusual" }) { edges { node { id } } } }', {}, shop.token);
    expect(res.body.data.payments.edges.map((e: any) => e.node.id)).toEqual([id]);
  });
});

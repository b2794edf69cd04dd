// initiateTopUpPayment's items and gatewayId: what a payment is for (checked as 54-FZ receipts will
// need them, stored on the payment, shown by payment(id) and the list), part of the idempotent
// request, and a gateway chosen among those serving the club. Bad input: a typed error, nothing written.
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, type Shop } from '../helpers/fixtures';

const INITIATE = 'mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { transactionId payment { id amount items { name quantity price vat } } } }';
const ITEMS = 'query($id: ID!) { payment(id: $id) { id items { name quantity price vat } } }';

describe('initiateTopUpPayment: items and gatewayId', () => {
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp('paymentitems');
    shop = await makeShop(t);
  });
  afterAll(() => t.close());

  const initiate = (input: Record<string, unknown>, token = shop.token) =>
    t.gql(INITIATE, { i: { clientId: shop.clientId, clubId: shop.clubId, amount: '1000', ...input } }, token);
  const payments = () => t.deps.db.payment.count({ where: { organizationId: shop.orgId } });
  const items = [
    { name: 'Monthly membership', quantity: '1', price: '850.00', vat: 20 },
    { name: 'Towel rental', quantity: '1.5', price: '100', vat: null },
  ];

  it('stores the lines and shows them on the payment, in payment(id) and in the list', async () => {
    const res = await initiate({ items });
    const { transactionId, payment } = res.body.data.initiateTopUpPayment;
    const shown = [{ name: 'Monthly membership', quantity: '1', price: '850.00', vat: 20 }, { name: 'Towel rental', quantity: '1.5', price: '100.00', vat: null }];
    expect(payment.items).toEqual(shown);
    expect((await t.gql(ITEMS, { id: transactionId }, shop.token)).body.data.payment.items).toEqual(shown);
    const list = await t.gql('query($f: PaymentFilter) { payments(filter: $f) { edges { node { id items { name price } } } } }', { f: { ids: [transactionId] } }, shop.token);
    expect(list.body.data.payments.edges[0].node.items).toEqual([{ name: 'Monthly membership', price: '850.00' }, { name: 'Towel rental', price: '100.00' }]);
    const row = await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } });
    // decimal strings, never JSON numbers
    expect(row.items).toEqual([{ name: 'Monthly membership', quantity: '1', price: '850.00', vat: 20 }, { name: 'Towel rental', quantity: '1.5', price: '100.00', vat: null }]);
  });

  it('without items: one "Balance top-up" line of the whole amount; a payment from before items existed shows the same', async () => {
    const { transactionId, payment } = (await initiate({ amount: '250.5' })).body.data.initiateTopUpPayment;
    expect(payment.items).toEqual([{ name: 'Balance top-up', quantity: '1', price: '250.50', vat: null }]);
    // nothing stored: the line is the payment's amount as it is now (after a partial capture, what was captured)
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: transactionId } })).items).toEqual([]);
    await t.deps.db.payment.update({ where: { id: transactionId }, data: { amount: '200.25' } });
    expect((await t.gql(ITEMS, { id: transactionId }, shop.token)).body.data.payment.items).toEqual([{ name: 'Balance top-up', quantity: '1', price: '200.25', vat: null }]);
    const spelled = (await initiate({ amount: '10', items: [{ name: 'Balance top-up', quantity: 1, price: '10' }] })).body.data.initiateTopUpPayment.transactionId;
    expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: spelled } })).items).toEqual([]);
  });

  it('the same idempotencyKey with other items is a CONFLICT, like another amount; the same items answer the first payment', async () => {
    const first = (await initiate({ items, idempotencyKey: 'items-1' })).body.data.initiateTopUpPayment.transactionId;
    expect((await initiate({ items, idempotencyKey: 'items-1' })).body.data.initiateTopUpPayment.transactionId).toBe(first);
    const before = await payments();
    const other = await initiate({ items: [{ ...items[0], price: '800' }, { ...items[1], quantity: '2' }], idempotencyKey: 'items-1' });
    expect(other.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/already used for a different top-up/), extensions: { code: 'CONFLICT' } });
    const noItems = await initiate({ idempotencyKey: 'items-1' });
    expect(noItems.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    const otherVat = await initiate({ items: [{ ...items[0], vat: 10 }, items[1]], idempotencyKey: 'items-1' });
    expect(otherVat.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await payments()).toBe(before);
    // spelling out the default line is the same request as leaving it out
    const plain = (await initiate({ idempotencyKey: 'items-2' })).body.data.initiateTopUpPayment.transactionId;
    const spelled = await initiate({ idempotencyKey: 'items-2', items: [{ name: 'Balance top-up', quantity: 1, price: '1000.00' }] });
    expect(spelled.body.data.initiateTopUpPayment.transactionId).toBe(plain);
  });

  it.each([
    ['lines that do not add up', [{ name: 'A', quantity: '3', price: '333.33' }], /add up to 999.99/, 'items'],
    ['a sum a kopeck off (no rounding)', [{ name: 'A', quantity: '0.1', price: '3333.30' }, { name: 'B', quantity: '1', price: '666.68' }], /add up to 1000.01 /, 'items'],
    ['a line amount of a third of a kopeck', [{ name: 'A', quantity: '0.1', price: '3333.33' }, { name: 'B', quantity: '1', price: '666.667' }], /items\[0\]: quantity × price is 333.333, more decimal places than RUB has/, 'items[0]'],
    ['half-kopeck lines that add up', [{ name: 'A', quantity: '1.5', price: '0.01' }, { name: 'B', quantity: '1.5', price: '0.01' }, { name: 'C', quantity: 1, price: '999.97' }], /items\[0\]: quantity × price is 0.015/, 'items[0]'],
    ['a lone surrogate in a name', [{ name: '\ud800 lone', quantity: 1, price: 1000 }], /items\[0\]\.name is not well-formed text/, 'items[0].name'],
    ['a name of format characters only', [{ name: '\u200b\u200b', quantity: 1, price: 1000 }], /invisible format characters/, 'items[0].name'],
    ['zero-width characters after a name', [{ name: 'A\u200b\ufeff', quantity: 1, price: 1000 }], /invisible format characters/, 'items[0].name'],
    ['an empty list', [], /at least one line/, 'items'],
    ['a name of 129 characters', [{ name: 'x'.repeat(129), quantity: 1, price: 1000 }], /at most 128/, 'items[0].name'],
    ['a blank name', [{ name: ' \t ', quantity: 1, price: 1000 }], /must not be empty/, 'items[0].name'],
    ['a control character', [{ name: 'Gym\u0000pass', quantity: 1, price: 1000 }], /control characters/, 'items[0].name'],
    ['a price of 3 decimals', [{ name: 'A', quantity: 2, price: '500.001' }, { name: 'B', quantity: 1, price: '-0.002' }], /price has more than 2 decimal places/, 'items[0].price'],
    ['a quantity of 4 decimals', [{ name: 'A', quantity: '0.0001', price: 1000 }], /more than 3 decimal places/, 'items[0].quantity'],
    ['a zero quantity', [{ name: 'A', quantity: 0, price: 1000 }], /greater than zero/, 'items[0].quantity'],
    ['a negative price', [{ name: 'A', quantity: 1, price: 1100 }, { name: 'Discount', quantity: 1, price: -100 }], /items\[1\]\.price must be greater than zero/, 'items[1].price'],
    ['a VAT code receipts do not know', [{ name: 'A', quantity: 1, price: 1000, vat: 18 }], /vat must be one of/, 'items[0].vat'],
    ['101 lines', Array.from({ length: 101 }, () => ({ name: 'A', quantity: 1, price: '9.90' })), /at most 100 lines/, 'items'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and writes nothing', async (_label, bad, message, field) => {
    const before = await payments();
    const res = await initiate({ items: bad, idempotencyKey: `bad-${String(field)}-${String(message)}` });
    expect(res.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field } });
    expect(res.body.data).toBeNull();
    expect(await payments()).toBe(before);
    // the key was not used up by the refusal
    expect(await t.deps.db.payment.count({ where: { idempotencyKey: `bad-${String(field)}-${String(message)}` } })).toBe(0);
  });

  it('a VIEWER may not initiate; another organization and the other environment do not see the items', async () => {
    const viewer = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    const before = await payments();
    const refused = await initiate({ items }, viewer.token);
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await payments()).toBe(before);
    const { transactionId } = (await initiate({ items })).body.data.initiateTopUpPayment;
    expect((await t.gql(ITEMS, { id: transactionId }, viewer.token)).body.data.payment.items).toHaveLength(2);
    const other = await makeOrg(t.deps, 'Another chain');
    expect((await t.gql(ITEMS, { id: transactionId }, other.testToken)).body.data.payment).toBeNull();
    expect((await t.gql(ITEMS, { id: transactionId }, shop.liveToken)).body.data.payment).toBeNull();
  });

  describe('gatewayId', () => {
    const configure = (input: Record<string, unknown>, token = shop.token) =>
      t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', { i: { organizationId: shop.orgId, type: 'SANDBOX', apiSecret: 'sandbox-secret-2', ...input } }, token)
        .then((r) => { if (r.body.errors) throw new Error(JSON.stringify(r.body.errors)); return r.body.data.configurePaymentGateway.id as string; });
    let elsewhere: string;
    let inactive: string;
    let liveGateway: string;
    let foreign: string;

    beforeAll(async () => {
      await t.gql('mutation { upsertClub(input: { id: "club_north", name: "North" }) { id } }', {}, shop.token);
      elsewhere = await configure({ publicId: `pk_north_${shop.orgId}`, clubIds: ['club_north'] });
      inactive = await configure({ publicId: `pk_off_${shop.orgId}`, isActive: false });
      liveGateway = await configure({ type: 'CLOUDPAYMENTS', publicId: 'pk_live_cp', apiSecret: 'cp-secret', environment: 'LIVE' }, shop.liveToken)
        .catch(async () => {
          // CloudPayments checks credentials with the gateway; tests have none: store one directly.
          const row = await t.deps.db.paymentGateway.findFirstOrThrow({ where: { organizationId: shop.orgId } });
          const id = `gw_${'1'.repeat(26)}`;
          await t.deps.db.paymentGateway.create({ data: { ...row, id, publicId: 'pk_live_cp', environment: 'LIVE', type: 'CLOUDPAYMENTS', settings: {}, createdAt: undefined, updatedAt: undefined } });
          return id;
        });
      const otherShop = await makeShop(t);
      foreign = otherShop.gatewayId;
    });

    const gatewayOf = (id: string) => t.deps.db.payment.findUniqueOrThrow({ where: { id } }).then((p) => p.gatewayId);

    it('names a gateway serving the club: the organization default, or one assigned to the club', async () => {
      const { transactionId } = (await initiate({ gatewayId: shop.gatewayId })).body.data.initiateTopUpPayment;
      expect(await gatewayOf(transactionId)).toBe(shop.gatewayId);
      const north = await initiate({ gatewayId: elsewhere, clubId: 'club_north' });
      expect(await gatewayOf(north.body.data.initiateTopUpPayment.transactionId)).toBe(elsewhere);
      // a club's own gateway is what it gets when none is named; the default still serves it when named
      const own = await initiate({ clubId: 'club_north' });
      expect(await gatewayOf(own.body.data.initiateTopUpPayment.transactionId)).toBe(elsewhere);
      const byDefault = await initiate({ clubId: 'club_north', gatewayId: shop.gatewayId });
      expect(await gatewayOf(byDefault.body.data.initiateTopUpPayment.transactionId)).toBe(shop.gatewayId);
    });

    it.each([
      ['assigned to other clubs only', () => elsewhere, /does not serve club club_abc123/],
      ['inactive', () => inactive, /cannot take payments: inactive/],
      ['of the other environment (a LIVE gateway for a TEST key)', () => liveGateway, /not found among this organization's TEST gateways/],
      ['of another organization', () => foreign, /not found among this organization's TEST gateways/],
      ['unknown', () => `gw_${'0'.repeat(26)}`, /not found among this organization's TEST gateways/],
      ['not a gateway id', () => 'x'.repeat(300), /not a gateway id/],
    ])('refuses a gateway %s with BAD_USER_INPUT, and writes nothing', async (_label, id, message) => {
      const before = await payments();
      const res = await initiate({ gatewayId: id() });
      expect(res.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field: 'gatewayId' } });
      expect(res.body.errors?.[0].message).not.toContain('x'.repeat(100));
      expect(await payments()).toBe(before);
    });

    it('another organization\'s gateway is refused in the words of one that does not exist', async () => {
      const foreignAnswer = (await initiate({ gatewayId: foreign })).body.errors?.[0].message.replace(foreign, 'ID');
      const unknownAnswer = (await initiate({ gatewayId: `gw_${'0'.repeat(26)}` })).body.errors?.[0].message.replace(`gw_${'0'.repeat(26)}`, 'ID');
      expect(foreignAnswer).toBe(unknownAnswer);
    });

    it('a LIVE key cannot name the TEST gateway; a named gateway is part of the idempotent request', async () => {
      const live = await initiate({ gatewayId: shop.gatewayId }, shop.liveToken);
      expect(live.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/not found among this organization's LIVE gateways/), extensions: { code: 'BAD_USER_INPUT' } });
      await initiate({ idempotencyKey: 'gw-1' });
      const named = await initiate({ idempotencyKey: 'gw-1', gatewayId: shop.gatewayId });
      expect(named.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    });
  });
});

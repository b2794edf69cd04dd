// A client keeps its balances in one currency, chosen when it is created (default: the
// organization's); top-ups are in it, and a gateway that does not take it is named in the refusal.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { CARDS, payWithCard } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

const UPSERT = 'mutation($c: ClientInput!) { upsertClient(input: $c) { id currency balance } }';
const INITIATE = 'mutation($i: InitiatePaymentInput!) { initiateTopUpPayment(input: $i) { paymentUrl transactionId payment { amount currency } } }';

describe('balances in the client\'s currency', () => {
  let t: TestApp;
  let orgId: string;
  let live: string;
  let test: string;

  beforeAll(async () => {
    t = await startTestApp('currencies', {}, { workers: true });
    ({ orgId, token: live, testToken: test } = await makeOrg(t.deps));
    await t.gql('mutation { upsertClub(input: { id: "club_kz", name: "Almaty" }) { id } }', {}, test);
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: orgId, type: 'SANDBOX', publicId: 'pk_kz', apiSecret: 'kz-secret' } }, test);
    expect(gw.body.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  const client = async (id: string) => (await t.gql('query($id: ID!) { client(id: $id) { currency balance } }', { id }, test)).body.data.client;

  it('a KZT client is topped up in KZT, without naming the currency, and credited in KZT', async () => {
    expect((await t.gql(UPSERT, { c: { id: 'c_kzt', clubId: 'club_kz', currency: 'kzt' } }, test)).body.data.upsertClient).toEqual({ id: 'c_kzt', currency: 'KZT', balance: '0.00' });
    const res = await t.gql(INITIATE, { i: { clientId: 'c_kzt', clubId: 'club_kz', amount: '15000.50' } }, test);
    expect(res.body.data.initiateTopUpPayment.payment).toEqual({ amount: '15000.50', currency: 'KZT' });
    await payWithCard(res.body.data.initiateTopUpPayment.paymentUrl, CARDS.success);
    await waitFor(() => client('c_kzt'), (c) => c.balance === '15000.50');
    const entry = await t.deps.db.ledgerEntry.findFirstOrThrow({ where: { clientId: 'c_kzt' } });
    expect(entry.amount.toFixed(2)).toBe('15000.50');
  });

  it('a top-up in another currency than the client\'s is refused and creates nothing', async () => {
    const before = await t.deps.db.payment.count();
    const res = await t.gql(INITIATE, { i: { clientId: 'c_kzt', clubId: 'club_kz', amount: '10', currency: 'RUB' } }, test);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' }, message: expect.stringMatching(/keeps a KZT balance/) });
    expect(await t.deps.db.payment.count()).toBe(before);
  });

  it('the currency is fixed once the client has a ledger entry (in either environment), free before', async () => {
    const refused = await t.gql(UPSERT, { c: { id: 'c_kzt', currency: 'USD' } }, live);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' }, message: expect.stringMatching(/cannot change/) });
    expect((await client('c_kzt')).currency).toBe('KZT');
    await t.gql(UPSERT, { c: { id: 'c_free', currency: 'USD' } }, test);
    expect((await t.gql(UPSERT, { c: { id: 'c_free', currency: 'EUR' } }, test)).body.data.upsertClient.currency).toBe('EUR');
    // the same currency again is no change
    expect((await t.gql(UPSERT, { c: { id: 'c_kzt', currency: 'KZT', name: 'Aigerim' } }, test)).body.errors).toBeUndefined();
  });

  it('an open payment fixes the currency too; a balance is never credited in another currency', async () => {
    await t.gql(UPSERT, { c: { id: 'c_open', clubId: 'club_kz' } }, test);
    const res = await t.gql(INITIATE, { i: { clientId: 'c_open', clubId: 'club_kz', amount: '500' } }, test);
    const { paymentUrl, transactionId } = res.body.data.initiateTopUpPayment;
    const refused = await t.gql(UPSERT, { c: { id: 'c_open', currency: 'KZT' } }, live);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' } });
    // Were the currency changed anyway (a race the check lost, an operator's SQL): the credit refuses it.
    await t.deps.db.client.update({ where: { organizationId_id: { organizationId: orgId, id: 'c_open' } }, data: { currency: 'KZT' } });
    await payWithCard(paymentUrl, CARDS.success);
    await waitFor(() => t.deps.db.paymentEvent.findMany({ where: { paymentId: transactionId } }), (rows) => rows.some((r) => r.code === 'CURRENCY_MISMATCH'));
    expect(await t.deps.db.ledgerEntry.count({ where: { paymentId: transactionId } })).toBe(0);
    expect((await client('c_open')).balance).toBe('0.00');
  });

  it('new clients take the organization\'s default currency', async () => {
    await t.gql('mutation { updateOrganization(input: { defaultCurrency: "UZS" }) { defaultCurrency } }', {}, live);
    expect((await t.gql(UPSERT, { c: { id: 'c_default' } }, test)).body.data.upsertClient.currency).toBe('UZS');
    await t.gql('mutation { updateOrganization(input: { defaultCurrency: "RUB" }) { defaultCurrency } }', {}, live);
    expect((await client('c_default')).currency).toBe('UZS'); // existing clients keep theirs
  });

  it.each([['XYZ', /unsupported currency/], ['rubles', /three-letter/]])('refuses the currency %s', async (currency, message) => {
    const res = await t.gql(UPSERT, { c: { id: 'c_bad', currency } }, test);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' }, message: expect.stringMatching(message) });
    expect(await t.deps.db.client.count({ where: { id: 'c_bad' } })).toBe(0);
  });

  it('a gateway that does not take the client\'s currency is named in the refusal', async () => {
    await t.gql(UPSERT, { c: { id: 'c_jpy', clubId: 'club_kz', currency: 'JPY' } }, test);
    const before = await t.deps.db.payment.count();
    const res = await t.gql(INITIATE, { i: { clientId: 'c_jpy', clubId: 'club_kz', amount: '500' } }, test);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' }, message: expect.stringMatching(/does not take JPY/) });
    expect(await t.deps.db.payment.count()).toBe(before);
  });
});

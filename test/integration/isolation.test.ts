// A token of organization A can neither read nor change anything of organization B.
// Every Query and Mutation in the schema must have a case here: a new operation fails this test
// until someone writes down how it stays inside its organization.
import { makeOrg, startTestApp, type TestApp } from '../helpers/app';
import { secretAad } from '../../src/services/gateways/view';
import { Prisma } from '../../src/generated/prisma/client';
import { cardTokenAad } from '../../src/services/cards/seal-card';

describe('organization isolation', () => {
  let t: TestApp;
  let a: { orgId: string; token: string; testToken: string };
  let b: { orgId: string; token: string; testToken: string };
  let gatewayA: string;
  let paymentA: string;
  let webhookA: string;
  let deliveryA: string;
  let savedFilterA: string;
  const cardA = 'pm_isolation000000000000000';
  const subscriptionA = 'sub_isolation00000000000000';

  beforeAll(async () => {
    t = await startTestApp('isolation');
    a = await makeOrg(t.deps, 'A');
    b = await makeOrg(t.deps, 'B');
    await t.gql('mutation { upsertClub(input: { id: "club_1", name: "A club" }) { id } }', {}, a.testToken);
    await t.gql('mutation { upsertClient(input: { id: "client_1", clubId: "club_1", name: "A client", email: "a@example.com" }) { id } }', {}, a.testToken);
    const res = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_shared', apiSecret: 'secret-of-a', clubIds: ['club_1'] } }, a.testToken);
    gatewayA = res.body.data.configurePaymentGateway.id;
    const pay = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "client_1", clubId: "club_1", amount: 100 }) { transactionId } }', {}, a.testToken);
    paymentA = pay.body.data.initiateTopUpPayment.transactionId;
    const hook = await t.gql('mutation { createWebhook(input: { url: "http://127.0.0.1:9/a", events: ["PAYMENT_RECEIVED"] }) { id } }', {}, a.testToken);
    webhookA = hook.body.data.createWebhook.id;
    deliveryA = 'whd_isolation0000000000000';
    await t.deps.db.savedPaymentMethod.create({
      data: {
        id: cardA, organizationId: a.orgId, environment: 'TEST', clientId: 'client_1', gatewayId: gatewayA, clubId: 'club_1', fingerprint: 'a'.repeat(64),
        tokenEncrypted: t.deps.secrets.seal('tk_of_a', cardTokenAad({ id: cardA, gatewayId: gatewayA, clientId: 'client_1' })), cardLastFour: '1111', expiresAt: new Date('2030-12-31T23:59:59.999Z'), sourcePaymentId: paymentA,
      },
    });
    await t.deps.db.subscription.create({
      data: {
        id: subscriptionA, organizationId: a.orgId, environment: 'TEST', clientId: 'client_1', clubId: 'club_1', gatewayId: gatewayA, paymentMethodId: cardA,
        gatewaySubscriptionId: 'sc_isolation', amount: '100', currency: 'RUB', interval: 'MONTH', period: 1, description: 'A plan', startDate: new Date('2030-01-01T00:00:00Z'),
      },
    });
    await t.deps.db.webhookDelivery.create({ data: { id: deliveryA, organizationId: a.orgId, environment: 'TEST', endpointId: webhookA, eventId: 'msg_x', eventType: 'PAYMENT_RECEIVED', payload: {}, status: 'FAILED' } });
    const saved = await t.gql('mutation { savePaymentFilter(name: "A filter", filter: { clientId: "client_1" }) { id } }', {}, a.testToken);
    savedFilterA = saved.body.data.savePaymentFilter.id;
  });
  afterAll(() => t.close());

  async function aIsUntouched() {
    const club = await t.deps.db.club.findUniqueOrThrow({ where: { organizationId_id: { organizationId: a.orgId, id: 'club_1' } } });
    expect(club.name).toBe('A club');
    const client = await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: a.orgId, id: 'client_1' } } });
    expect([client.name, client.email, client.clubId]).toEqual(['A client', 'a@example.com', 'club_1']);
    const gw = await t.deps.db.paymentGateway.findUniqueOrThrow({ where: { id: gatewayA }, include: { clubs: true } });
    expect(t.deps.secrets.open(gw.apiSecretEncrypted, secretAad(gatewayA, 'apiSecret'))).toBe('secret-of-a');
    expect(gw.clubs.map((c) => c.clubId)).toEqual(['club_1']);
    const payment = await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentA } });
    expect([payment.status, payment.organizationId, payment.amount.toFixed(2)]).toEqual(['PENDING', a.orgId, '100.00']);
    expect((await t.deps.db.subscription.findUniqueOrThrow({ where: { id: subscriptionA } })).status).toBe('ACTIVE');
    const hook = await t.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id: webhookA } });
    expect([hook.url, hook.isActive, hook.previousSecretEncrypted]).toEqual(['http://127.0.0.1:9/a', true, null]);
    expect((await t.deps.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryA } })).status).toBe('FAILED');
    const filters = await t.deps.db.savedPaymentFilter.findMany({ where: { organizationId: a.orgId } });
    expect(filters.map((f) => [f.id, f.name, f.filter])).toEqual([[savedFilterA, 'A filter', { clientId: 'client_1' }]]);
    expect(await t.deps.db.apiToken.count({ where: { organizationId: a.orgId, NOT: { defaultPaymentFilter: { equals: Prisma.DbNull } } } })).toBe(0);
    expect((await t.deps.db.savedPaymentMethod.findUniqueOrThrow({ where: { id: cardA } })).deletedAt).toBeNull();
  }

  const cases: Record<string, () => Promise<void>> = {
    'Query.paymentGateways': async () => {
      const res = await t.gql('{ paymentGateways { id } }', {}, b.testToken);
      expect(res.body.data.paymentGateways).toEqual([]);
    },
    'Query.client': async () => {
      const res = await t.gql('{ client(id: "client_1") { id balance ledger { edges { cursor } } } }', {}, b.testToken);
      expect(res.body).toEqual({ data: { client: null } });
    },
    'Mutation.configurePaymentGateway': async () => {
      const forbidden = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_shared', apiSecret: 'stolen' } }, b.testToken);
      expect(forbidden.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // the same type and publicId in B is B's own gateway, and cannot claim A's club
      const own = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: b.orgId, type: 'SANDBOX', publicId: 'pk_shared', apiSecret: 'b-secret' } }, b.testToken);
      expect(own.body.data.configurePaymentGateway.id).not.toBe(gatewayA);
      const claim = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: b.orgId, type: 'SANDBOX', publicId: 'pk_shared', apiSecret: 'b-secret', clubIds: ['club_1'] } }, b.testToken);
      expect(claim.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    },
    'Query.payment': async () => {
      const res = await t.gql('query($id: ID!) { payment(id: $id) { id history { toStatus } } }', { id: paymentA }, b.testToken);
      expect(res.body).toEqual({ data: { payment: null } });
    },
    'Query.payments': async () => {
      const res = await t.gql('{ payments(filter: { ids: ["PAYMENT_A"] }) { totalCount totals { count } edges { node { id } } } }'.replace('PAYMENT_A', paymentA), {}, b.testToken);
      expect(res.body).toEqual({ data: { payments: { totalCount: 0, totals: [], edges: [] } } });
      const all = await t.gql('{ payments { edges { node { id } } } }', {}, b.testToken);
      expect(all.body.data.payments.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(paymentA);
    },
    'Mutation.editPayment': async () => {
      const res = await t.gql('mutation($id: ID!) { editPayment(id: $id, input: { note: "B was here", restrictRefund: true }) { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const p = await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentA } });
      expect([p.note, p.restrictRefund]).toEqual([null, false]);
      expect(await t.deps.db.paymentEvent.count({ where: { paymentId: paymentA, code: 'EDIT' } })).toBe(0);
    },
    'Mutation.deletePayments': async () => {
      const res = await t.gql('mutation($ids: [ID!]!) { deletePayments(ids: $ids) { id ok code } }', { ids: [paymentA] }, b.testToken);
      expect(res.body.data.deletePayments).toEqual([{ id: paymentA, ok: false, code: 'NOT_FOUND' }]);
      expect((await t.deps.db.payment.findUniqueOrThrow({ where: { id: paymentA } })).deletedAt).toBeNull();
    },
    'Query.auditLog': async () => {
      const aEntries = new Set((await t.deps.db.auditEntry.findMany({ where: { organizationId: a.orgId }, select: { id: true } })).map((e) => e.id));
      expect(aEntries.size).toBeGreaterThan(0);
      for (const token of [b.token, b.testToken]) {
        const res = await t.gql('{ auditLog(first: 100) { edges { node { id } } } }', {}, token);
        expect(res.body.data.auditLog.edges.filter((e: { node: { id: string } }) => aEntries.has(e.node.id))).toEqual([]);
      }
      // naming A's payment finds only B's own attempts at it (earlier cases), never A's entries
      const byTarget = await t.gql('query($id: ID!) { auditLog(filter: { targetId: $id }, first: 100) { edges { node { id actorKeyId } } } }', { id: paymentA }, b.testToken);
      const bKeys = new Set((await t.deps.db.apiToken.findMany({ where: { organizationId: b.orgId }, select: { id: true } })).map((k) => k.id));
      const found = byTarget.body.data.auditLog.edges.map((e: { node: { id: string; actorKeyId: string } }) => e.node);
      expect(found.filter((n: { id: string; actorKeyId: string }) => aEntries.has(n.id) || !bKeys.has(n.actorKeyId))).toEqual([]);
    },
    'Mutation.addPaymentComment': async () => {
      const res = await t.gql('mutation($id: ID!) { addPaymentComment(id: $id, text: "B was here") { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(await t.deps.db.paymentComment.count({ where: { paymentId: paymentA } })).toBe(0);
    },
    'Query.paymentFilters': async () => {
      expect((await t.gql('{ paymentFilters { id } }', {}, b.testToken)).body.data.paymentFilters).toEqual([]);
      const res = await t.gql('query($f: PaymentFilter) { payments(filter: $f) { totalCount } }', { f: { savedFilterId: savedFilterA } }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.savePaymentFilter': async () => {
      // the same name in B is B's own filter
      const res = await t.gql('mutation { savePaymentFilter(name: "A filter", filter: { status: [FAILED] }) { id } }', {}, b.testToken);
      expect(res.body.data.savePaymentFilter.id).not.toBe(savedFilterA);
    },
    'Mutation.setDefaultPaymentFilter': async () => {
      const res = await t.gql('mutation($f: PaymentFilter) { setDefaultPaymentFilter(filter: $f) }', { f: { savedFilterId: savedFilterA } }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      await t.gql('mutation { setDefaultPaymentFilter(filter: { status: [FAILED] }) }', {}, b.testToken);
      const own = await t.gql('{ payments { edges { node { id } } } }', {}, a.testToken);
      expect(own.body.data.payments.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(paymentA);
      await t.gql('mutation { setDefaultPaymentFilter(reset: true) }', {}, b.testToken);
    },
    'Mutation.adjustBalance': async () => {
      // the same CRM id in B names B's own client (or none), never A's
      const before = (await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: a.orgId, id: 'client_1' } } })).testBalance.toFixed(2);
      await t.gql('mutation { adjustBalance(input: { clientId: "client_1", amount: "10", reason: "b" }) { balanceAfter } }', {}, b.testToken);
      expect((await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: a.orgId, id: 'client_1' } } })).testBalance.toFixed(2)).toBe(before);
      expect(await t.deps.db.ledgerEntry.count({ where: { organizationId: a.orgId, kind: 'ADJUSTMENT' } })).toBe(0);
    },
    'Mutation.markPaymentPaid': async () => {
      const res = await t.gql('mutation($id: ID!) { markPaymentPaid(id: $id, reason: "B says so") { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(await t.deps.db.ledgerEntry.count({ where: { organizationId: a.orgId } })).toBe(0);
    },
    'Mutation.recordManualPayment': async () => {
      // the same CRM ids in B name B's own club and client (earlier cases created them), never A's
      const res = await t.gql('mutation { recordManualPayment(input: { clientId: "client_1", clubId: "club_1", amount: "10", method: CASH }) { id } }', {}, b.testToken);
      const payment = await t.deps.db.payment.findUniqueOrThrow({ where: { id: res.body.data.recordManualPayment.id } });
      expect([payment.organizationId, payment.gatewayType]).toEqual([b.orgId, 'MANUAL']);
      expect(await t.deps.db.payment.count({ where: { organizationId: a.orgId } })).toBe(1);
      expect(await t.deps.db.ledgerEntry.count({ where: { organizationId: a.orgId } })).toBe(0);
    },
    'Query.shortfalls': async () => {
      const res = await t.gql('{ shortfalls { edges { node { id } } pageInfo { hasNextPage } } }', {}, b.testToken);
      expect(res.body.data.shortfalls).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
    },
    'Mutation.resolveShortfall': async () => {
      await t.deps.db.refund.create({ data: { id: 'ref_isolation0000000000000', organizationId: a.orgId, environment: 'TEST', paymentId: paymentA, status: 'SUCCEEDED', amount: 100, shortfall: 100, actor: 'test' } });
      try {
        const res = await t.gql('mutation { resolveShortfall(refundId: "ref_isolation0000000000000", how: WRITTEN_OFF, note: "b") { id } }', {}, b.testToken);
        expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
        expect((await t.deps.db.refund.findUniqueOrThrow({ where: { id: 'ref_isolation0000000000000' } })).shortfallResolvedAt).toBeNull();
      } finally {
        await t.deps.db.refund.delete({ where: { id: 'ref_isolation0000000000000' } });
      }
    },
    'Query.attentionItems': async () => {
      await t.deps.db.attentionItem.create({ data: { id: 'att_isolation0000000000000', organizationId: a.orgId, environment: 'TEST', kind: 'AMOUNT_MISMATCH', dedupeKey: 'isolation', paymentId: paymentA } });
      const res = await t.gql('{ attentionItems { edges { node { id } } } }', {}, b.testToken);
      expect(res.body.data.attentionItems.edges).toEqual([]);
    },
    'Mutation.resolveAttentionItem': async () => {
      const res = await t.gql('mutation { resolveAttentionItem(id: "att_isolation0000000000000", note: "b") { id } }', {}, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await t.deps.db.attentionItem.findUniqueOrThrow({ where: { id: 'att_isolation0000000000000' } })).resolvedAt).toBeNull();
    },
    'Mutation.initiateTopUpPayment': async () => {
      // The same CRM ids in B name B's own club and client (earlier cases created them), never A's.
      const res = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "client_1", clubId: "club_1", amount: 100 }) { transactionId } }', {}, b.testToken);
      const payment = await t.deps.db.payment.findUniqueOrThrow({ where: { id: res.body.data.initiateTopUpPayment.transactionId } });
      expect([payment.organizationId, payment.gatewayId === gatewayA]).toEqual([b.orgId, false]);
      expect(await t.deps.db.payment.count({ where: { organizationId: a.orgId } })).toBe(1);
      // and a client B does not have cannot be charged
      const none = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "client_2", clubId: "club_1", amount: 100 }) { transactionId } }', {}, b.testToken);
      expect(none.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      // nor can B name A's gateway for its own club
      const before = await t.deps.db.payment.count();
      const named = await t.gql('mutation($g: ID!) { initiateTopUpPayment(input: { clientId: "client_1", clubId: "club_1", amount: 100, gatewayId: $g }) { transactionId } }', { g: gatewayA }, b.testToken);
      expect(named.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/not found/), extensions: { code: 'BAD_USER_INPUT' } });
      expect(await t.deps.db.payment.count()).toBe(before);
    },
    'Mutation.cancelPayment': async () => {
      const res = await t.gql('mutation($id: ID!) { cancelPayment(id: $id) { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.refundPayment': async () => {
      await t.deps.db.payment.update({ where: { id: paymentA }, data: { status: 'CONFIRMED' } });
      try {
        const res = await t.gql('mutation($id: ID!) { refundPayment(input: { transactionId: $id }) { success } }', { id: paymentA }, b.testToken);
        expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
        expect(await t.deps.db.refund.count()).toBe(0);
      } finally {
        await t.deps.db.payment.update({ where: { id: paymentA }, data: { status: 'PENDING' } });
      }
    },
    'Mutation.debitBalance': async () => {
      await t.deps.db.client.update({ where: { organizationId_id: { organizationId: a.orgId, id: 'client_1' } }, data: { balance: 0 } });
      const res = await t.gql('mutation { debitBalance(input: { clientId: "client_1", amount: 1, reason: "steal" }) { id } }', {}, b.testToken);
      // B's own client_1 (created by an earlier case) has nothing; A's is never reached
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(res.body.errors?.[0].extensions?.code);
      expect(await t.deps.db.ledgerEntry.count({ where: { organizationId: a.orgId } })).toBe(0);
    },
    'Mutation.capturePayment': async () => {
      const res = await t.gql('mutation($id: ID!) { capturePayment(id: $id) { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.voidPayment': async () => {
      const res = await t.gql('mutation($id: ID!) { voidPayment(id: $id) { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.reconcilePayment': async () => {
      const res = await t.gql('mutation($id: ID!) { reconcilePayment(id: $id) { id } }', { id: paymentA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Query.webhooks': async () => {
      expect((await t.gql('{ webhooks { id } }', {}, b.testToken)).body.data.webhooks).toEqual([]);
    },
    'Query.webhookDeliveries': async () => {
      const res = await t.gql('query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { cursor } } }', { id: webhookA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.createWebhook': async () => {
      await t.gql('mutation { createWebhook(input: { url: "http://127.0.0.1:9/b", events: ["PAYMENT_FAILED"] }) { id } }', {}, b.testToken);
      expect(await t.deps.db.webhookEndpoint.count({ where: { organizationId: a.orgId } })).toBe(1);
    },
    'Mutation.updateWebhook': async () => {
      const res = await t.gql('mutation($id: ID!) { updateWebhook(id: $id, input: { url: "http://127.0.0.1:9/stolen" }) { id } }', { id: webhookA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.deleteWebhook': async () => {
      const res = await t.gql('mutation($id: ID!) { deleteWebhook(id: $id) }', { id: webhookA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.rotateWebhookSecret': async () => {
      const res = await t.gql('mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: webhookA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.replayWebhookDelivery': async () => {
      const res = await t.gql('mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', { id: deliveryA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.replayWebhookDeliveries': async () => {
      const res = await t.gql('mutation($id: ID!) { replayWebhookDeliveries(webhookId: $id, since: "2020-01-01T00:00:00Z") }', { id: webhookA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.upsertClub': async () => {
      const res = await t.gql('mutation { upsertClub(input: { id: "club_1", name: "B renames it" }) { id name } }', {}, b.testToken);
      expect(res.body.data.upsertClub).toEqual({ id: 'club_1', name: 'B renames it' });
    },
    'Mutation.upsertClient': async () => {
      const res = await t.gql('mutation { upsertClient(input: { id: "client_1", name: "B", email: null }) { id name balance } }', {}, b.testToken);
      expect(res.body.data.upsertClient).toEqual({ id: 'client_1', name: 'B', balance: '0.00' });
    },
    'Query.organization': async () => {
      const res = await t.gql('{ organization { id name } }', {}, b.token);
      expect(res.body.data.organization).toEqual({ id: b.orgId, name: 'B' });
    },
    'Query.apiKeys': async () => {
      const res = await t.gql('{ apiKeys { id } }', {}, b.token);
      const aKeys = await t.deps.db.apiToken.findMany({ where: { organizationId: a.orgId }, select: { id: true } });
      expect(res.body.data.apiKeys).toHaveLength(2);
      expect(res.body.data.apiKeys.map((k: { id: string }) => k.id)).not.toEqual(expect.arrayContaining([aKeys[0].id]));
    },
    'Mutation.createApiKey': async () => {
      const res = await t.gql('mutation { createApiKey(input: { name: "b", role: OWNER, environment: LIVE }) { key { id } } }', {}, b.token);
      const row = await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: res.body.data.createApiKey.key.id } });
      expect(row.organizationId).toBe(b.orgId);
    },
    'Mutation.revokeApiKey': async () => {
      const aKey = await t.deps.db.apiToken.findFirstOrThrow({ where: { organizationId: a.orgId, environment: 'TEST' } });
      const res = await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: aKey.id }, b.token);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await t.deps.db.apiToken.findUniqueOrThrow({ where: { id: aKey.id } })).revokedAt).toBeNull();
    },
    'Query.savedPaymentMethods': async () => {
      const res = await t.gql('{ savedPaymentMethods(clientId: "client_1") { id } }', {}, b.testToken);
      expect(res.body).toEqual({ data: { savedPaymentMethods: [] } });
    },
    'Mutation.deleteSavedPaymentMethod': async () => {
      const res = await t.gql('mutation($id: ID!) { deleteSavedPaymentMethod(id: $id) }', { id: cardA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.chargeSavedCard': async () => {
      // B's own client_1 (an earlier case created it) cannot be charged with A's card
      const res = await t.gql('mutation($id: ID!) { chargeSavedCard(input: { clientId: "client_1", paymentMethodId: $id, amount: "10" }) { id } }', { id: cardA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(await t.deps.db.payment.count({ where: { paymentMethodId: cardA } })).toBe(0);
    },
    'Query.subscription': async () => {
      const res = await t.gql('query($id: ID!) { subscription(id: $id) { id } }', { id: subscriptionA }, b.testToken);
      expect(res.body).toEqual({ data: { subscription: null } });
    },
    'Query.subscriptions': async () => {
      const res = await t.gql('{ subscriptions { edges { node { id } } } }', {}, b.testToken);
      expect(res.body).toEqual({ data: { subscriptions: { edges: [] } } });
    },
    'Mutation.createSubscription': async () => {
      const res = await t.gql('mutation($id: ID!) { createSubscription(input: { clientId: "client_1", paymentMethodId: $id, amount: "10", interval: DAY, period: 1, description: "x" }) { id } }', { id: cardA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(await t.deps.db.subscription.count({ where: { paymentMethodId: cardA } })).toBe(1);
    },
    'Mutation.updateSubscription': async () => {
      const res = await t.gql('mutation($id: ID!) { updateSubscription(id: $id, input: { amount: "1" }) { id } }', { id: subscriptionA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Mutation.cancelSubscription': async () => {
      const res = await t.gql('mutation($id: ID!) { cancelSubscription(id: $id) { id } }', { id: subscriptionA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    },
    'Query.autoTopUp': async () => {
      // A's rule on its client_1 is not B's client_1's
      await t.deps.db.autoTopUp.upsert({
        where: { organizationId_environment_clientId: { organizationId: a.orgId, environment: 'TEST', clientId: 'client_1' } },
        create: { organizationId: a.orgId, environment: 'TEST', clientId: 'client_1', paymentMethodId: cardA, threshold: '10', amount: '100', dailyLimit: 3, enabled: true }, update: {},
      });
      const res = await t.gql('{ autoTopUp(clientId: "client_1") { clientId } }', {}, b.testToken);
      expect(res.body).toEqual({ data: { autoTopUp: null } });
    },
    'Mutation.setAutoTopUp': async () => {
      // B's own client_1 (an earlier case created it) cannot be set up with A's card
      const res = await t.gql('mutation($id: ID!) { setAutoTopUp(input: { clientId: "client_1", paymentMethodId: $id, threshold: "10", amount: "100" }) { clientId } }', { id: cardA }, b.testToken);
      expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(await t.deps.db.autoTopUp.count({ where: { organizationId: b.orgId } })).toBe(0);
    },
    'Mutation.updateOrganization': async () => {
      const res = await t.gql('mutation { updateOrganization(input: { name: "B renamed" }) { id name } }', {}, b.token);
      expect(res.body.data.updateOrganization).toEqual({ id: b.orgId, name: 'B renamed' });
      expect((await t.deps.db.organization.findUniqueOrThrow({ where: { id: a.orgId } })).name).toBe('A');
      await t.gql('mutation { updateOrganization(input: { name: "B" }) { id } }', {}, b.token);
    },
    'Mutation.retryReceipt': async () => {
      await t.deps.db.receipt.create({ data: { id: 'rcp_isolation_a', organizationId: a.orgId, environment: 'TEST', movementKey: 'payment-isolation', type: 'INCOME', status: 'FAILED', amount: '10', request: {}, error: 'refused' } });
      for (const token of [b.testToken, b.token]) {
        const res = await t.gql('mutation { retryReceipt(id: "rcp_isolation_a") { id status } }', {}, token);
        expect(res.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      }
      // A's own LIVE key does not see A's TEST receipt either
      const live = await t.gql('mutation { retryReceipt(id: "rcp_isolation_a") { id status } }', {}, a.token);
      expect(live.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const row = await t.deps.db.receipt.findUniqueOrThrow({ where: { id: 'rcp_isolation_a' } });
      expect([row.status, row.attempt]).toEqual(['FAILED', 0]);
      await t.deps.db.receipt.delete({ where: { id: 'rcp_isolation_a' } });
    },
  };

  it('has a case for every query and mutation in the schema', async () => {
    const res = await t.gql('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }', {}, a.testToken);
    const ops = [
      ...res.body.data.__schema.queryType.fields.map((f: { name: string }) => `Query.${f.name}`),
      ...res.body.data.__schema.mutationType.fields.map((f: { name: string }) => `Mutation.${f.name}`),
    ].sort();
    expect(ops).toEqual(Object.keys(cases).sort());
  });

  it.each(Object.keys({
    'Query.paymentGateways': 1, 'Query.client': 1, 'Query.payment': 1, 'Query.payments': 1, 'Mutation.editPayment': 1, 'Mutation.deletePayments': 1, 'Query.auditLog': 1, 'Mutation.addPaymentComment': 1, 'Mutation.configurePaymentGateway': 1, 'Mutation.upsertClub': 1,
    'Query.paymentFilters': 1, 'Mutation.savePaymentFilter': 1, 'Mutation.setDefaultPaymentFilter': 1,
    'Mutation.upsertClient': 1, 'Mutation.initiateTopUpPayment': 1, 'Mutation.cancelPayment': 1, 'Mutation.refundPayment': 1,
    'Mutation.debitBalance': 1, 'Mutation.capturePayment': 1, 'Mutation.voidPayment': 1,
    'Mutation.reconcilePayment': 1, 'Query.webhooks': 1, 'Query.webhookDeliveries': 1, 'Mutation.createWebhook': 1,
    'Mutation.updateWebhook': 1, 'Mutation.deleteWebhook': 1, 'Mutation.rotateWebhookSecret': 1, 'Mutation.replayWebhookDelivery': 1,
    'Mutation.replayWebhookDeliveries': 1, 'Query.organization': 1, 'Query.apiKeys': 1, 'Mutation.createApiKey': 1,
    'Mutation.revokeApiKey': 1, 'Mutation.updateOrganization': 1, 'Mutation.adjustBalance': 1, 'Mutation.markPaymentPaid': 1,
    'Mutation.recordManualPayment': 1, 'Query.shortfalls': 1, 'Mutation.resolveShortfall': 1, 'Query.attentionItems': 1, 'Mutation.resolveAttentionItem': 1,
    'Query.savedPaymentMethods': 1, 'Mutation.deleteSavedPaymentMethod': 1, 'Mutation.chargeSavedCard': 1,
    'Query.subscription': 1, 'Query.subscriptions': 1, 'Mutation.createSubscription': 1, 'Mutation.updateSubscription': 1, 'Mutation.cancelSubscription': 1,
    'Query.autoTopUp': 1, 'Mutation.setAutoTopUp': 1,
    'Mutation.retryReceipt': 1,
  }))('%s stays inside the caller\'s organization', async (op) => {
    await cases[op]();
    await aIsUntouched();
  });
});

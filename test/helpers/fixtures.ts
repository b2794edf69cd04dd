// An organization ready to take top-ups: a SANDBOX gateway, a club and a client. The sandbox is a
// TEST gateway, so the shop works with the organization's TEST key (liveToken is its LIVE key).
import { Decimal } from '../../src/domain/money';
import type { TestApp } from './app';
import { makeOrg } from './app';

export interface Shop {
  orgId: string;
  /** The TEST OWNER key the shop's sandbox gateway answers to. */
  token: string;
  liveToken: string;
  gatewayId: string;
  apiSecret: string;
  clubId: string;
  clientId: string;
}

export async function makeShop(t: TestApp, options: { clientId?: string; twoStage?: boolean } = {}): Promise<Shop> {
  const { orgId, testToken: token, token: liveToken } = await makeOrg(t.deps);
  const apiSecret = `sandbox-secret-${orgId}`;
  const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
    { i: { organizationId: orgId, type: 'SANDBOX', publicId: `pk_${orgId}`, apiSecret, twoStage: options.twoStage ?? false } }, token);
  const clientId = options.clientId ?? 'client_xyz';
  await t.gql('mutation($c: ClientInput!) { upsertClub(input: { id: "club_abc123", name: "Club" }) { id } upsertClient(input: $c) { id } }',
    { c: { id: clientId, clubId: 'club_abc123', name: 'Anna', email: 'anna@example.com' } }, token);
  if (gw.body.errors) throw new Error(JSON.stringify(gw.body.errors));
  return { orgId, token, liveToken, gatewayId: gw.body.data.configurePaymentGateway.id, apiSecret, clubId: 'club_abc123', clientId };
}

// The seed's mutation, verbatim (izi-cloudpayments-integration.txt, Step 3).
export const SEED_INITIATE = `mutation InitiateTopUp($input: InitiatePaymentInput!) { initiateTopUpPayment(input: $input) { paymentUrl transactionId expiresAt }}`;
// The seed's status query, verbatim, plus history and refunds.
export const SEED_STATUS = `query PaymentStatus($transactionId: ID!) { payment(id: $transactionId) { id status amount clientId createdAt confirmedAt gatewayTransactionId history { fromStatus toStatus actor reason } refunds { id amount shortfall } }}`;

export async function topUp(t: TestApp, shop: Shop, input: Record<string, unknown> = {}) {
  const res = await t.gql(SEED_INITIATE, {
    input: { clientId: shop.clientId, clubId: shop.clubId, amount: 500, returnUrl: 'https://yourapp.example.com/payment/success', description: 'Balance top-up', ...input },
  }, shop.token);
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.initiateTopUpPayment as { paymentUrl: string; transactionId: string; expiresAt: string };
}

/** Amounts added as decimals (never floats), written as the API writes a RUB balance: to compare balances exactly. */
export const plus = (...amounts: (string | number)[]) => amounts.reduce<Decimal>((sum, a) => sum.plus(a), new Decimal(0)).toFixed(2);

export async function balanceOf(t: TestApp, shop: Shop, clientId = shop.clientId): Promise<string> {
  const res = await t.gql('query($id: ID!) { client(id: $id) { balance } }', { id: clientId }, shop.token);
  return res.body.data.client.balance;
}

/** The client's balance of one environment, straight from the database. */
export async function storedBalance(t: TestApp, orgId: string, clientId: string, environment: 'LIVE' | 'TEST' = 'TEST'): Promise<string> {
  const client = await t.deps.db.client.findUniqueOrThrow({ where: { organizationId_id: { organizationId: orgId, id: clientId } } });
  return (environment === 'LIVE' ? client.balance : client.testBalance).toFixed(2);
}

/**
 * Balance = Σ ledger, never negative (docs/architecture.md invariant), straight from the database,
 * for one environment (the sandbox shop's is TEST).
 */
export async function ledgerInvariant(t: TestApp, shop: Shop, clientId = shop.clientId, environment: 'LIVE' | 'TEST' = 'TEST') {
  const sum = await t.deps.db.ledgerEntry.aggregate({ where: { organizationId: shop.orgId, clientId, environment }, _sum: { amount: true } });
  return { balance: await storedBalance(t, shop.orgId, clientId, environment), sum: sum._sum.amount ? sum._sum.amount.toFixed(2) : '0.00' };
}

/** Waits until every credit, refund booking and event already committed has been carried out. */
export async function outboxDrained(t: TestApp, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await t.deps.db.outbox.count({ where: { status: 'PENDING' } })) > 0) {
    if (Date.now() > until) throw new Error('outbox not drained in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

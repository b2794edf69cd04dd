// schema.prisma and prisma/migrations must describe the same database, and the money
// constraints Prisma cannot express must be there and must bite.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '../helpers/database';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const db = require('../../scripts/db.js');
const SCHEMA = readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8');

jest.setTimeout(120_000);

describe('migrations', () => {
  const env = process.env.DATABASE_URL;
  beforeAll(async () => {
    process.env.DATABASE_URL = await createTestDatabase('migrations_scratch');
  });
  afterAll(() => {
    process.env.DATABASE_URL = env;
  });

  it('build exactly the database schema.prisma describes', async () => {
    expect(await db.drift()).toBeNull();
  });

  it('the drift check notices a schema change that has no migration', async () => {
    const changed = SCHEMA.replace('model Club {\n', 'model Club {\n  colour String?\n');
    expect(changed).not.toBe(SCHEMA);
    const report = await db.drift(changed);
    expect(report).toContain('colour');
    const dropped = SCHEMA.replace('  @@index([status, expiresAt])\n', '');
    expect(await db.drift(dropped)).toContain('Payment_status_expiresAt_idx');
  });
});

describe('constraints that protect money live in the database', () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client({ connectionString: await createTestDatabase('constraints') });
    await c.connect();
    await c.query(`INSERT INTO "Organization"(id, name, code) VALUES ('org_1', 'o', 'ORG-1')`);
    await c.query(`INSERT INTO "Club"("organizationId", id, name, "updatedAt") VALUES ('org_1', 'club', 'c', now())`);
    await c.query(`INSERT INTO "Client"("organizationId", id, "updatedAt") VALUES ('org_1', 'cl', now())`);
    await c.query(`INSERT INTO "PaymentGateway"(id, "organizationId", type, "publicId", "apiSecretEncrypted", "updatedAt") VALUES ('gw_1', 'org_1', 'SANDBOX', 'pk', 'x', now())`);
  });
  afterAll(() => c.end());

  const payment = (id: string, extra: Record<string, string> = {}) => {
    const cols = { id: `'${id}'`, organizationId: `'org_1'`, clientId: `'cl'`, clubId: `'club'`, gatewayId: `'gw_1'`, gatewayType: `'SANDBOX'`,
      amount: '100', currency: `'RUB'`, expiresAt: 'now()', updatedAt: 'now()', ...extra };
    return c.query(`INSERT INTO "Payment"(${Object.keys(cols).map((k) => `"${k}"`).join(',')}) VALUES (${Object.values(cols).join(',')})`);
  };
  const ledger = (id: string, kind: string, amount: string, balanceAfter: string, extra: Record<string, string> = {}) => {
    const cols = { id: `'${id}'`, organizationId: `'org_1'`, clientId: `'cl'`, kind: `'${kind}'`, amount, balanceAfter, actor: `'t'`, ...extra };
    return c.query(`INSERT INTO "LedgerEntry"(${Object.keys(cols).map((k) => `"${k}"`).join(',')}) VALUES (${Object.values(cols).join(',')})`);
  };

  it.each([
    ['balance < 0', () => c.query(`UPDATE "Client" SET balance = -0.01`), 'Client_balance_not_negative'],
    ['a TEST balance < 0', () => c.query(`UPDATE "Client" SET "testBalance" = -0.01`), 'Client_test_balance_not_negative'],
    ['payment amount 0', () => payment('pay_zero', { amount: '0' }), 'Payment_amount_positive'],
    ['refunded more than paid', () => payment('pay_over', { refundedAmount: '100.01' }), 'Payment_refunded_within_amount'],
    ['ledger balanceAfter < 0', () => ledger('led_neg', 'SPEND', '-1', '-1'), 'LedgerEntry_balance_after_not_negative'],
    ['a TOP_UP debit', () => ledger('led_sign', 'TOP_UP', '-5', '0'), 'LedgerEntry_amount_sign'],
    ['a SPEND credit', () => ledger('led_sign2', 'SPEND', '5', '5'), 'LedgerEntry_amount_sign'],
    ['capturing more than is authorized', () => payment('pay_cap', { authorizedAmount: '100', capturedAmount: '100.01' }), 'Payment_capture_within_authorization'],
    ['a capture without an authorization', () => payment('pay_cap2', { captureAmount: '10' }), 'Payment_capture_within_authorization'],
  ])('refuses %s', async (_what, act, constraint) => {
    await expect(act()).rejects.toThrow(constraint);
  });

  it('enforces unique (gateway, gateway transaction id), (organization, environment, idempotency key) and one ledger entry per payment and kind', async () => {
    await payment('pay_1', { gatewayTransactionId: `'T1'`, idempotencyKey: `'k1'` });
    await expect(payment('pay_2', { gatewayTransactionId: `'T1'` })).rejects.toThrow('Payment_gatewayId_gatewayTransactionId_key');
    await expect(payment('pay_3', { idempotencyKey: `'k1'` })).rejects.toThrow('Payment_organizationId_environment_idempotencyKey_key');
    await ledger('led_1', 'TOP_UP', '100', '100', { paymentId: `'pay_1'` });
    await expect(ledger('led_2', 'TOP_UP', '100', '200', { paymentId: `'pay_1'` })).rejects.toThrow('LedgerEntry_paymentId_kind_key');
  });

  it('keeps the ledger append-only', async () => {
    await ledger('led_keep', 'ADJUSTMENT', '3', '3');
    await expect(c.query(`UPDATE "LedgerEntry" SET amount = 4 WHERE id = 'led_keep'`)).rejects.toThrow('append-only');
    await expect(c.query(`DELETE FROM "LedgerEntry" WHERE id = 'led_keep'`)).rejects.toThrow('append-only');
  });
});

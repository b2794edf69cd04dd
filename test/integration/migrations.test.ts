// schema.prisma and prisma/migrations must describe the same database, and the money
// constraints Prisma cannot express must be there and must bite.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '../helpers/database';
import { dbUrl, PG_BASE, testDbName } from '../helpers/env';

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

  it('npm run db:migrate says what it did: migrated a new database, then up to date', async () => {
    const url = dbUrl(testDbName('migrate_says'));
    const run = () => promisify(execFile)(process.execPath, [path.resolve(__dirname, '../../scripts/db.js'), 'migrate'], { env: { ...process.env, DATABASE_URL: url } });
    const first = await run();
    expect(first.stderr).toMatch(/: migrated, all \d+ migrations applied/);
    const second = await run();
    expect(second.stderr).toMatch(/: up to date, all \d+ migrations applied/);
    expect(second.stderr).not.toMatch(/migrated/);
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

describe('the environments migration moves what existed before it', () => {
  const MIGRATIONS = path.resolve(__dirname, '../../prisma/migrations');
  const NAME = testDbName('envupgrade');
  let c: Client;
  beforeAll(async () => {
    const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${NAME}`);
    await admin.end();
    c = new Client({ connectionString: dbUrl(NAME) });
    await c.connect();
  });
  afterAll(() => c.end());

  const apply = async (which: (name: string) => boolean) => {
    for (const name of (db.migrationNames() as string[]).filter(which)) await c.query(readFileSync(path.join(MIGRATIONS, name, 'migration.sql'), 'utf8'));
  };

  it('keys, gateways and money stay LIVE; the sandbox and its unbooked payments become TEST', async () => {
    const isEnv = (n: string) => n.endsWith('_environments');
    const names = db.migrationNames() as string[];
    const envAt = names.findIndex(isEnv);
    await apply((n) => names.indexOf(n) < envAt);
    await c.query(`INSERT INTO "Organization"(id, name) VALUES ('org_1', 'Old')`);
    await c.query(`INSERT INTO "ApiToken"(id, "organizationId", role, prefix, "tokenHash") VALUES ('tok_1', 'org_1', 'OWNER', 'pgk_abcdefgh', 'h1')`);
    await c.query(`INSERT INTO "Club"("organizationId", id, name, "updatedAt") VALUES ('org_1', 'club', 'c', now())`);
    await c.query(`INSERT INTO "Client"("organizationId", id, balance, "updatedAt") VALUES ('org_1', 'cl', 100, now())`);
    for (const [id, type] of [['gw_cp', 'CLOUDPAYMENTS'], ['gw_sb', 'SANDBOX']]) {
      await c.query(`INSERT INTO "PaymentGateway"(id, "organizationId", type, "publicId", "apiSecretEncrypted", "updatedAt") VALUES ('${id}', 'org_1', '${type}', 'pk', 'x', now())`);
    }
    await c.query(`INSERT INTO "PaymentGatewayClub"("organizationId", "clubId", "gatewayId") VALUES ('org_1', 'club', 'gw_sb')`);
    const pay = (id: string, gw: string, status: string) => c.query(`INSERT INTO "Payment"(id, "organizationId", "clientId", "clubId", "gatewayId", "gatewayType", status, amount, currency, "expiresAt", "updatedAt")
      VALUES ('${id}', 'org_1', 'cl', 'club', '${gw}', '${gw === 'gw_sb' ? 'SANDBOX' : 'CLOUDPAYMENTS'}', '${status}', 100, 'RUB', now(), now())`);
    await pay('pay_cp', 'gw_cp', 'CONFIRMED');
    await pay('pay_sb_paid', 'gw_sb', 'CONFIRMED');
    await pay('pay_sb_open', 'gw_sb', 'PENDING');
    await c.query(`INSERT INTO "LedgerEntry"(id, "organizationId", "clientId", kind, amount, "balanceAfter", "paymentId", actor) VALUES ('led_1', 'org_1', 'cl', 'TOP_UP', 100, 100, 'pay_sb_paid', 't')`);

    await apply(isEnv);
    const one = async (sql: string) => (await c.query(sql)).rows;
    expect(await one(`SELECT code FROM "Organization"`)).toEqual([{ code: expect.stringMatching(/^ORG-[0-9A-F]{8}$/) }]);
    expect(await one(`SELECT environment FROM "ApiToken"`)).toEqual([{ environment: 'LIVE' }]);
    expect(await one(`SELECT id, environment FROM "PaymentGateway" ORDER BY id`)).toEqual([{ id: 'gw_cp', environment: 'LIVE' }, { id: 'gw_sb', environment: 'TEST' }]);
    expect(await one(`SELECT environment FROM "PaymentGatewayClub"`)).toEqual([{ environment: 'TEST' }]);
    expect(await one(`SELECT id, environment FROM "Payment" ORDER BY id`)).toEqual([
      { id: 'pay_cp', environment: 'LIVE' }, { id: 'pay_sb_open', environment: 'TEST' }, { id: 'pay_sb_paid', environment: 'LIVE' },
    ]);
    // money already booked stays where it was booked
    expect(await one(`SELECT balance::text, "testBalance"::text FROM "Client"`)).toEqual([{ balance: '100.0000', testBalance: '0.0000' }]);
    expect(await one(`SELECT environment FROM "LedgerEntry"`)).toEqual([{ environment: 'LIVE' }]);
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

  it('keeps the audit log and payment comments append-only', async () => {
    await c.query(`INSERT INTO "AuditEntry"(id, "organizationId", action, outcome) VALUES ('aud_keep', 'org_1', 'upsertClub', 'ok')`);
    await payment('pay_commented');
    await c.query(`INSERT INTO "PaymentComment"(id, "organizationId", environment, "paymentId", author, text) VALUES ('cmt_keep', 'org_1', 'LIVE', 'pay_commented', 'a', 't')`);
    for (const table of ['AuditEntry', 'PaymentComment']) {
      await expect(c.query(`UPDATE "${table}" SET id = id || 'x'`)).rejects.toThrow(`${table} is append-only: UPDATE refused`);
      await expect(c.query(`DELETE FROM "${table}"`)).rejects.toThrow(`${table} is append-only: DELETE refused`);
      await expect(c.query(`TRUNCATE "${table}"`)).rejects.toThrow(`${table} is append-only: TRUNCATE refused`);
    }
  });
});

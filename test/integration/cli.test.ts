// The admin CLI as integrators call it (docs/api.md, "Admin command line"), on the built code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../helpers/app';
import { TEST_ENCRYPTION_KEY } from '../helpers/env';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe('admin CLI', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await startTestApp('cli');
    // The app's own encryption key: what the CLI seals (the demo's gateway secret), the app opens.
    env = { ...process.env, DATABASE_URL: t.deps.config.databaseUrl.reveal(), LOG_LEVEL: 'silent', PAYGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) => run(process.execPath, ['dist/cli/index.js', ...args], { cwd: ROOT, env });
  const status = async (token: string) => (await fetch(`${t.url}/auth/status`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('org create, token create/list/revoke work end to end', async () => {
    const npm = await run('npm', ['run', '--silent', 'cli', '--', 'org', 'create', '--name', 'Fitness Club Chain', '--json'], { cwd: ROOT, env });
    const org = JSON.parse(npm.stdout);
    expect(org).toEqual({ organizationId: expect.stringMatching(/^org_/), token: expect.stringMatching(/^pgk_live_.{43}$/), testToken: expect.stringMatching(/^pgk_test_.{43}$/) });
    expect(await status(org.token)).toBe(200);
    expect(await status(org.testToken)).toBe(200);

    const created = JSON.parse((await cli('token', 'create', '--org', org.organizationId, '--role', 'ADMIN', '--expires-in', '30d', '--json')).stdout);
    expect(created).toEqual({ id: expect.stringMatching(/^tok_/), token: expect.stringMatching(/^pgk_live_/), role: 'ADMIN', environment: 'LIVE', expiresAt: expect.any(String) });
    const test = JSON.parse((await cli('token', 'create', '--org', org.organizationId, '--role', 'VIEWER', '--env', 'test', '--name', 'accountant', '--json')).stdout);
    expect(test).toEqual({ id: expect.stringMatching(/^tok_/), token: expect.stringMatching(/^pgk_test_/), role: 'VIEWER', environment: 'TEST', expiresAt: null });
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect(await status(created.token)).toBe(200);

    const listed = JSON.parse((await cli('token', 'list', '--org', org.organizationId, '--json')).stdout);
    expect(listed.map((x: any) => `${x.environment} ${x.role}`).sort()).toEqual(['LIVE ADMIN', 'LIVE OWNER', 'TEST OWNER', 'TEST VIEWER']);
    expect(listed.find((x: any) => x.id === test.id).name).toBe('accountant');
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const human = (await cli('token', 'list', '--org', org.organizationId)).stdout;
    expect(human).toContain(created.id);
    expect(human).not.toContain(created.token);

    const revoked = JSON.parse((await cli('token', 'revoke', created.id, '--json')).stdout);
    expect(revoked).toEqual({ id: created.id, revokedAt: expect.any(String) });
    expect(await status(created.token)).toBe(401);
    expect(await status(org.token)).toBe(200);
  });

  it('demo seed makes a TEST key that works against its sandbox, and revokes the previous run\'s', async () => {
    const first = JSON.parse((await cli('demo', 'seed', '--json')).stdout);
    expect(first).toMatchObject({ organizationId: 'org_demo', token: expect.stringMatching(/^pgk_test_/), clubId: 'club_demo', clientId: 'client_demo' });
    expect(await status(first.token)).toBe(200);
    const second = JSON.parse((await cli('demo', 'seed', '--json')).stdout);
    expect(second.gatewayId).toBe(first.gatewayId);
    expect(await status(second.token)).toBe(200);
    expect(await status(first.token)).toBe(401);
    expect(await t.deps.db.apiToken.count({ where: { organizationId: 'org_demo', revokedAt: null } })).toBe(1);
    const pay = await t.gql('mutation { initiateTopUpPayment(input: { clientId: "client_demo", clubId: "club_demo", amount: 5 }) { payment { environment } } }', {}, second.token);
    expect(pay.body.errors).toBeUndefined();
    expect(pay.body.data.initiateTopUpPayment.payment.environment).toBe('TEST');
  });

  it('outbox retry re-drives given-up rows (one by --id, or --all) with their attempts reset, and records it in each organization\'s audit log', async () => {
    const org = JSON.parse((await cli('org', 'create', '--name', 'Outbox Club', '--json')).stdout);
    const stuck = (key: string) => t.deps.db.outbox.create({ data: { key, kind: 'webhook.event', organizationId: org.organizationId, payload: {}, status: 'GIVEN_UP', attempts: 40, lastError: 'out of attempts: boom' } });
    const [a, b] = [await stuck(`cli-retry-a-${org.organizationId}`), await stuck(`cli-retry-b-${org.organizationId}`)];
    const done = await t.deps.db.outbox.create({ data: { key: `cli-retry-done-${org.organizationId}`, kind: 'webhook.event', organizationId: org.organizationId, payload: {}, status: 'DONE' } });

    const one = JSON.parse((await cli('outbox', 'retry', '--id', String(a.id), '--json')).stdout);
    expect(one).toEqual({ retried: [{ id: String(a.id), key: a.key, kind: 'webhook.event', organizationId: org.organizationId }] });
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: 'GIVEN_UP', attempts: 40 });
    for (const id of [a.id, done.id, 987654321n]) {
      const err = await cli('outbox', 'retry', '--id', String(id)).then(() => null, (e) => e);
      expect({ code: err?.code, stderr: err?.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not given up/) });
    }
    expect(await t.deps.db.outbox.findUniqueOrThrow({ where: { id: done.id } })).toMatchObject({ status: 'DONE' });

    const all = JSON.parse((await cli('outbox', 'retry', '--all', '--json')).stdout);
    expect(all.retried.map((r: { id: string }) => r.id)).toContain(String(b.id));
    expect(await t.deps.db.outbox.count({ where: { status: 'GIVEN_UP' } })).toBe(0);
    expect((await cli('outbox', 'retry', '--all')).stdout).toMatch(/no given-up outbox rows/);
    const audit = await t.deps.db.auditEntry.findMany({ where: { organizationId: org.organizationId, action: 'cli:outbox retry' }, orderBy: { at: 'asc' } });
    expect(audit.map((e) => e.targetIds)).toEqual([[String(a.id)], [String(b.id)]]);
  });

  it.each([
    [['org', 'create', '--json'], /--name is required/],
    [['token', 'create', '--org', 'org_nope', '--role', 'ADMIN'], /organization org_nope not found/],
    [['token', 'create', '--org', 'org_x', '--role', 'ROOT'], /--role must be OWNER, ADMIN or VIEWER/],
    [['token', 'create', '--org', 'org_x', '--role', 'ADMIN', '--env', 'staging'], /--env must be live or test/],
    [['token', 'create', '--org', 'org_x', '--role', 'ADMIN', '--expires-in', 'forever'], /--expires-in takes a duration/],
    [['token', 'revoke', 'tok_nope'], /token tok_nope not found/],
    [['launch', 'rockets'], /unknown command/],
    [['outbox', 'retry'], /usage: outbox retry --id <n> \| --all/],
    [['outbox', 'retry', '--id', '1', '--all'], /usage: outbox retry/],
    [['outbox', 'retry', '--id', '1; DROP TABLE "Outbox"'], /--id takes an outbox row id/],
  ])('%j fails with exit code 2 and a clear message', async (args, message) => {
    const err = await cli(...args).then(() => null, (e) => e);
    expect({ code: err?.code, stderr: err?.stderr }).toMatchObject({ code: 2 });
    expect(err?.stderr).toMatch(message);
  });
});

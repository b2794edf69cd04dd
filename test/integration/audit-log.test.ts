// The audit log: every mutation of a known key (refused ones too) and every CLI command on an
// organization appends an entry; never a secret, never for a query; append-only in Postgres;
// auditLog lists the key's organization and environment only, to OWNER and ADMIN.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { makeOrg, makeToken, startTestApp, type TestApp } from '../helpers/app';
import { TEST_ENCRYPTION_KEY } from '../helpers/env';

const LIST = `query($f: AuditFilter, $first: Int, $after: String) { auditLog(filter: $f, first: $first, after: $after) {
  edges { cursor node { id at actorKeyId actorKeyName actorRole environment action targetIds outcome input remoteAddress } }
  pageInfo { hasNextPage endCursor } } }`;

const cursorAt = (at: string) => Buffer.from(JSON.stringify([at, 'aud_00000000000000000000000000'])).toString('base64url');

type Org = { orgId: string; token: string; testToken: string };

describe('audit log', () => {
  let t: TestApp;
  let a: Org;
  let b: Org;
  let admin: { id: string; token: string };
  let viewer: { id: string; token: string };
  let pg: Client;

  beforeAll(async () => {
    t = await startTestApp('auditlog');
    a = await makeOrg(t.deps, 'A');
    b = await makeOrg(t.deps, 'B');
    admin = await makeToken(t.deps, a.orgId, 'ADMIN', { environment: 'TEST' });
    viewer = await makeToken(t.deps, a.orgId, 'VIEWER', { environment: 'TEST' });
    pg = new Client({ connectionString: t.deps.config.databaseUrl.reveal() });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await t.close();
  });

  const rows = async (where = 'true', values: unknown[] = []) =>
    (await pg.query(`SELECT * FROM "AuditEntry" WHERE ${where} ORDER BY at, id`, values)).rows;
  const count = async () => Number((await pg.query('SELECT count(*) FROM "AuditEntry"')).rows[0].count);
  const everything = async () => (await pg.query(`SELECT coalesce(string_agg(e::text, ' '), '') AS all FROM "AuditEntry" e`)).rows[0].all as string;
  const list = async (token: string, variables: Record<string, unknown> = {}) => {
    const res = await t.gql(LIST, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data.auditLog as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
  const keyOf = (token: string) => t.deps.db.apiToken.findFirstOrThrow({ where: { prefix: token.slice(0, 16) } });

  it('records each root field of a mutation: key, action, targets, outcome, input and address', async () => {
    const res = await t.gql(`mutation($c: ClientInput!) { upsertClub(input: { id: "club_1", name: "Main" }) { id } second: upsertClient(input: $c) { id } }`,
      { c: { id: 'client_1', clubId: 'club_1', name: 'Anna' } }, admin.token);
    expect(res.body.errors).toBeUndefined();
    const entries = await rows(`"organizationId" = $1 AND action IN ('upsertClub', 'upsertClient')`, [a.orgId]);
    expect(entries.map((e) => [e.action, e.targetIds, e.outcome, e.actorKeyId, e.actorRole, e.environment, e.remoteAddress])).toEqual([
      ['upsertClub', ['club_1'], 'ok', admin.id, 'ADMIN', 'TEST', '127.0.0.1'],
      ['upsertClient', ['client_1', 'club_1'], 'ok', admin.id, 'ADMIN', 'TEST', '127.0.0.1'],
    ]);
    expect(entries[1].input).toEqual({ input: { id: 'client_1', clubId: 'club_1', name: 'Anna' } });
    // the API shows the same, newest first
    const page = await list(a.testToken, { f: { targetId: 'client_1' } });
    expect(page.edges.map((e) => [e.node.action, e.node.actorKeyId, e.node.outcome, e.node.input])).toEqual([
      ['upsertClient', admin.id, 'ok', { input: { id: 'client_1', clubId: 'club_1', name: 'Anna' } }],
    ]);
  });

  it('records refused mutations with the code the caller got: role, bad input, variables that do not fit, an invalid document', async () => {
    const forbidden = await t.gql('mutation { upsertClub(input: { id: "club_2", name: "X" }) { id } }', {}, viewer.token);
    expect(forbidden.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await t.gql('mutation { upsertClient(input: { id: "client_2", email: "not-an-email" }) { id } }', {}, admin.token);
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const vars = await t.gql('mutation($a: Decimal!) { debitBalance(input: { clientId: "client_1", amount: $a, reason: "r" }) { id } }', { a: 'lots' }, admin.token);
    expect(vars.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const invalid = await t.gql('mutation { debitBalance(input: { clientId: "client_1", amount: "lots", reason: "r" }) { id } }', {}, admin.token);
    expect(invalid.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const byViewer = await rows(`"actorKeyId" = $1`, [viewer.id]);
    expect(byViewer.map((e) => [e.action, e.outcome, e.targetIds, e.input])).toEqual([['upsertClub', 'FORBIDDEN', ['club_2'], { input: { id: 'club_2', name: 'X' } }]]);
    const refused = await rows(`"actorKeyId" = $1 AND outcome <> 'ok'`, [admin.id]);
    expect(refused.map((e) => [e.action, e.outcome, e.input])).toEqual([
      ['upsertClient', 'BAD_USER_INPUT', { input: { id: 'client_2', email: 'not-an-email' } }],
      ['debitBalance', 'BAD_USER_INPUT', null],
      ['debitBalance', 'BAD_USER_INPUT', null],
    ]);
  });

  it('stores nothing for a call without a valid key (none, unknown, revoked)', async () => {
    const before = await count();
    const mutation = 'mutation { upsertClub(input: { id: "club_9", name: "Nobody" }) { id } }';
    expect((await t.gql(mutation, {}, null)).status).toBe(401);
    expect((await t.gql(mutation, {}, 'pgk_test_notakeyatallnotakeyatallnotakeyatallxx')).status).toBe(401);
    const gone = await makeToken(t.deps, a.orgId, 'ADMIN', { environment: 'TEST' });
    await t.gql('{ organization { id } }', {}, gone.token); // cached in this process
    await t.deps.db.apiToken.update({ where: { id: gone.id }, data: { revokedAt: new Date() } });
    expect((await t.gql(mutation, {}, gone.token)).status).toBe(401);
    expect((await t.gql('mutation { upsertClub(input: { id: 1 }) { id } }', {}, gone.token)).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('a query writes nothing, whatever it reads', async () => {
    const before = await count();
    await t.gql('{ payment(id: "pay_nothing") { id } }', {}, admin.token);
    await t.gql('{ payments { edges { node { id } } } organization { id } }', {}, admin.token);
    await list(a.testToken);
    await t.gql('query { upsertClub }', {}, admin.token); // invalid, and a query
    expect(await count()).toBe(before);
  });

  it('never stores a gateway secret, given as a variable or inline, nor a key or webhook secret from a result', async () => {
    const variableSecret = 'VARIABLE-SECRET-9f3b2c71';
    const inlineSecret = 'INLINE-SECRET-7d1e4a90';
    const webhookSecret = 'WEBHOOK-SIGNING-SECRET-55aa11';
    const gw = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
      { i: { organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_audit', apiSecret: variableSecret, description: `copy of ${variableSecret}` } }, a.testToken);
    expect(gw.body.errors).toBeUndefined();
    const inline = await t.gql(`mutation { configurePaymentGateway(input: { organizationId: "${a.orgId}", type: SANDBOX, publicId: "pk_audit2", apiSecret: "${inlineSecret}", webhookSecret: "${webhookSecret}" }) { id } }`, {}, a.testToken);
    expect(inline.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT'); // the sandbox takes no webhook secret: refused, and audited
    const inlineOk = await t.gql(`mutation { configurePaymentGateway(input: { organizationId: "${a.orgId}", type: SANDBOX, publicId: "pk_audit3", apiSecret: "${inlineSecret}" }) { id } }`, {}, a.testToken);
    expect(inlineOk.body.errors).toBeUndefined();
    // refused before it runs (a variable that does not fit) and a document that does not validate
    await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', { i: { type: 'SANDBOX', publicId: 'p', apiSecret: variableSecret, bogus: 1 } }, a.testToken);
    await t.gql(`mutation { configurePaymentGateway(input: { type: SANDBOX, publicId: "p", apiSecret: "${inlineSecret}", bogus: 1 }) { id } }`, {}, a.testToken);

    const hook = await t.gql('mutation { createWebhook(input: { url: "http://127.0.0.1:9/h", events: ["PAYMENT_RECEIVED"] }) { id secret } }', {}, a.testToken);
    const rotated = await t.gql('mutation($id: ID!) { rotateWebhookSecret(id: $id) { id secret } }', { id: hook.body.data.createWebhook.id }, a.testToken);
    const key = await t.gql('mutation { createApiKey(input: { name: "ops", role: ADMIN, environment: TEST }) { key { id } token } }', {}, a.token);

    const gateways = await rows(`action = 'configurePaymentGateway' AND "organizationId" = $1`, [a.orgId]);
    expect(gateways.map((e) => e.outcome)).toEqual(['ok', 'BAD_USER_INPUT', 'ok', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(gateways[0].input.input).toEqual({ organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_audit', description: 'copy of [redacted]' });
    expect(gateways[0].targetIds).toEqual([a.orgId, gw.body.data.configurePaymentGateway.id]);
    expect(gateways[2].input.input).toEqual({ organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_audit3' });
    const stored = await everything();
    for (const secret of [variableSecret, inlineSecret, webhookSecret, hook.body.data.createWebhook.secret, rotated.body.data.rotateWebhookSecret.secret, key.body.data.createApiKey.token]) {
      expect(secret).toBeTruthy();
      expect(stored).not.toContain(secret);
    }
    expect((await rows(`action = 'createApiKey'`))[0].targetIds).toEqual([key.body.data.createApiKey.key.id]);
  });

  it('covers the key and organization operations', async () => {
    const created = await t.gql('mutation { createApiKey(input: { name: "temp", role: VIEWER, environment: LIVE }) { key { id } } }', {}, a.token);
    const id = created.body.data.createApiKey.key.id;
    await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id }, a.token);
    await t.gql('mutation { updateOrganization(input: { timeZone: "Europe/Berlin" }) { id } }', {}, a.token);
    await t.gql('mutation { updateOrganization(input: { name: "x" }) { id } }', {}, a.testToken); // a TEST key may not
    const live = await list(a.token, { first: 3 });
    const owner = await keyOf(a.token);
    expect(live.edges.map((e) => [e.node.action, e.node.targetIds, e.node.actorKeyId, e.node.environment, e.node.outcome])).toEqual([
      ['updateOrganization', [a.orgId], owner.id, 'LIVE', 'ok'],
      ['revokeApiKey', [id], owner.id, 'LIVE', 'ok'],
      ['createApiKey', [id], owner.id, 'LIVE', 'ok'],
    ]);
    expect((await list(a.testToken, { first: 1 })).edges[0].node).toMatchObject({ action: 'updateOrganization', outcome: 'FORBIDDEN', environment: 'TEST' });
  });

  it('bounds what one entry and one request store', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `pay_${String(i).padStart(40, '0')}`);
    const res = await t.gql('mutation($ids: [ID!]!) { deletePayments(ids: $ids) { id ok } }', { ids }, admin.token);
    expect(res.body.data.deletePayments).toHaveLength(500);
    const [entry] = await rows(`action = 'deletePayments'`);
    expect(entry.input).toEqual({ $truncated: true, bytes: expect.any(Number), head: expect.stringMatching(/^\{"ids":\["pay_0/) });
    expect(entry.input.bytes).toBeGreaterThan(16 * 1024);
    expect(entry.targetIds).toHaveLength(500);
    expect(Buffer.byteLength(JSON.stringify(entry.input))).toBeLessThan(2 * 1024);
    // forty aliases of one big variable: the request's budget, not forty times 16 KB
    const note = 'n'.repeat(1900);
    const aliases = Array.from({ length: 40 }, (_, i) => `e${i}: editPayment(id: "pay_none${i}", input: { note: $n, tags: $t }) { id }`).join(' ');
    await t.gql(`mutation($n: String, $t: [String!]) { ${aliases} }`, { n: note, t: Array.from({ length: 20 }, () => 't'.repeat(60)) }, admin.token);
    const edits = await rows(`action = 'editPayment'`);
    expect(edits.length).toBeGreaterThan(0);
    const total = edits.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.input)), 0);
    expect(total).toBeLessThan(80 * 1024);
  });

  it('runs serially: a field after a failed one never ran and carries the failure', async () => {
    const res = await t.gql('mutation { one: upsertClub(input: { id: "club_s1", name: "S1" }) { id } two: upsertClub(input: { id: "bad id!", name: "S2" }) { id } three: upsertClub(input: { id: "club_s3", name: "S3" }) { id } }', {}, admin.token);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const entries = await rows(`action = 'upsertClub' AND "actorKeyId" = $1`, [admin.id]);
    expect(entries.slice(-3).map((e) => [e.targetIds, e.outcome])).toEqual([[['club_s1'], 'ok'], [['bad id!'], 'BAD_USER_INPUT'], [['club_s3'], 'BAD_USER_INPUT']]);
    expect(await t.deps.db.club.count({ where: { organizationId: a.orgId, id: 'club_s3' } })).toBe(0);
  });

  const adminKey = () => makeToken(t.deps, a.orgId, 'ADMIN', { environment: 'TEST' });
  const byKey = (keyId: string) => rows(`"actorKeyId" = $1`, [keyId]);

  it('stores the entries of a request holding a NUL, a lone surrogate or an emoji the truncation cuts, beside a mutation that ran', async () => {
    const k = await adminKey();
    const nul = await t.gql('mutation($n: String!) { real: upsertClub(input: { id: "club_nul", name: "Real change" }) { id } junk: addPaymentComment(id: "pay_x\\u0000", text: $n) { id } }', { n: 'a\u0000b' }, k.token);
    expect(nul.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.club.count({ where: { organizationId: a.orgId, id: 'club_nul' } })).toBe(1);
    expect((await byKey(k.id)).map((e) => [e.action, e.targetIds, e.outcome, e.input])).toEqual([
      ['upsertClub', ['club_nul'], 'ok', { input: { id: 'club_nul', name: 'Real change' } }],
      ['addPaymentComment', ['pay_x'], 'BAD_USER_INPUT', { id: 'pay_x', text: 'ab' }],
    ]);

    const k2 = await adminKey();
    // refused as input (typed), and still audited, its input made storable
    const sur = await t.gql('mutation($n: String!) { upsertClub(input: { id: "club_sur", name: $n }) { id } }', { n: 'x\ud800y' }, k2.token);
    expect(sur.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await byKey(k2.id)).map((e) => [e.outcome, e.input])).toEqual([['BAD_USER_INPUT', { input: { id: 'club_sur', name: 'x\ufffdy' } }]]);

    // the head of a truncated input ends where an emoji's surrogate pair would be split
    const k3 = await adminKey();
    const before = JSON.stringify({ input: { id: 'club_emo', name: '' } }).length - 3;
    const name = 'a'.repeat(1023 - before) + '\u{1F600}'.repeat(6000);
    const emo = await t.gql('mutation($n: String!) { fine: upsertClient(input: { id: "client_emo", name: "fine" }) { id } upsertClub(input: { id: "club_emo", name: $n }) { id } }', { n: name }, k3.token);
    expect(emo.body.errors?.[0].path).toEqual(['upsertClub']);
    expect(await t.deps.db.client.count({ where: { organizationId: a.orgId, id: 'client_emo' } })).toBe(1);
    const emoji = await byKey(k3.id);
    expect(emoji.map((e) => [e.action, e.outcome])).toEqual([['upsertClient', 'ok'], ['upsertClub', 'BAD_USER_INPUT']]);
    expect(emoji[1].input).toMatchObject({ $truncated: true, bytes: Buffer.byteLength(JSON.stringify({ input: { id: 'club_emo', name } })) });
    expect(emoji[1].input.head).toBe(`{"input":{"id":"club_emo","name":"${'a'.repeat(1023 - before)}`);
    expect(t.logs()).not.toMatch(/audit entries not written/);
  });

  it('a row the database still refuses is stored row by row, itself as a minimal entry', async () => {
    await pg.query(`CREATE FUNCTION audit_poison() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN IF NEW.input::text LIKE ''%poison%'' THEN RAISE EXCEPTION ''poisoned''; END IF; RETURN NEW; END;'`);
    await pg.query(`CREATE TRIGGER audit_poison BEFORE INSERT ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION audit_poison()`);
    const k = await adminKey();
    try {
      const res = await t.gql('mutation { p: upsertClub(input: { id: "club_poison", name: "poison" }) { id } f: upsertClub(input: { id: "club_fine", name: "fine" }) { id } }', {}, k.token);
      expect(res.body.errors).toBeUndefined();
    } finally {
      await pg.query('DROP TRIGGER audit_poison ON "AuditEntry"');
      await pg.query('DROP FUNCTION audit_poison()');
    }
    expect((await byKey(k.id)).map((e) => [e.action, e.targetIds, e.outcome, e.actorKeyId, e.input])).toEqual([
      ['upsertClub', ['club_poison'], 'ok', k.id, { $unstorable: true }],
      ['upsertClub', ['club_fine'], 'ok', k.id, { input: { id: 'club_fine', name: 'fine' } }],
    ]);
  });

  it('a request refused before it runs is one entry however many fields and ids it has', async () => {
    const k = await makeToken(t.deps, a.orgId, 'VIEWER', { environment: 'TEST' });
    const ids = Array.from({ length: 900 }, (_, i) => `pay_${String(i).padStart(50, '0')}`);
    const aliases = (n: number, args = 'ids: $i') => Array.from({ length: n }, (_, i) => `a${i}: deletePayments(${args}) { id }`).join(' ');
    const costly = await t.gql(`mutation($i: [ID!]!) { ${aliases(150)} }`, { i: ids }, k.token);
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0].message).toMatch(/more than the limit/);
    const invalid = await t.gql(`mutation($i: [ID!]!) { ${aliases(100, 'ids: $i, bogus: 1')} }`, { i: ids.slice(0, 10) }, k.token);
    expect(invalid.body.errors?.[0].message).toMatch(/Unknown argument "bogus"/);
    const unknown = await t.gql('mutation { nothingLikeIt { id } }', {}, k.token);
    expect(unknown.status).toBe(400);
    const entries = await byKey(k.id);
    expect(entries.map((e) => [e.action, e.outcome, e.targetIds.length])).toEqual([
      ['deletePayments', 'BAD_USER_INPUT', 500], ['deletePayments', 'BAD_USER_INPUT', 10], ['(refused)', 'BAD_USER_INPUT', 0],
    ]);
    expect(entries[0].input).toMatchObject({ $truncated: true, $fields: 150, $moreTargets: 400 });
    expect(entries[1].input).toEqual({ ids: ids.slice(0, 10), $fields: 100 });
    const { size } = (await pg.query(`SELECT sum(pg_column_size(e.*))::int AS size FROM "AuditEntry" e WHERE "actorKeyId" = $1`, [k.id])).rows[0];
    expect(size).toBeLessThan(128 * 1024);
  });

  it('a request stores at most 50 entries, then one counting the rest', async () => {
    const k = await adminKey();
    const aliases = Array.from({ length: 60 }, (_, i) => `u${i}: upsertClub(input: { id: "club_many_${i}", name: "M" }) { id }`).join(' ');
    expect((await t.gql(`mutation { ${aliases} }`, {}, k.token)).body.errors).toBeUndefined();
    expect(await t.deps.db.club.count({ where: { organizationId: a.orgId, id: { startsWith: 'club_many_' } } })).toBe(60);
    const entries = await byKey(k.id);
    expect(entries).toHaveLength(51);
    expect(entries.slice(0, 50).map((e) => e.targetIds[0])).toEqual(Array.from({ length: 50 }, (_, i) => `club_many_${i}`));
    expect(entries[50]).toMatchObject({ action: '(more fields)', outcome: 'ok', targetIds: [], input: { $moreFields: 10, actions: ['upsertClub'] } });
  });

  it('a write-only value given as a variable\'s default is neither stored nor quoted in an error', async () => {
    const secret = 'DEFAULT-VALUE-SECRET-abc123';
    const ok = await t.gql(`mutation($s: String! = "${secret}") { configurePaymentGateway(input: { organizationId: "${a.orgId}", type: SANDBOX, publicId: "pk_default", apiSecret: $s, description: $s }) { id } }`, {}, a.testToken);
    expect(ok.body.errors).toBeUndefined();
    const [entry] = await rows(`action = 'configurePaymentGateway' AND input->'input'->>'publicId' = 'pk_default'`);
    expect(entry.input.input.description).toBe('[redacted]');
    const refused = await t.gql(`mutation($s: String! = "${secret}") { configurePaymentGateway(input: { organizationId: "${a.orgId}", type: SANDBOX, publicId: "pk_default2", apiSecret: $s, availableCurrencies: [$s] }) { id } }`, {}, a.testToken);
    expect(refused.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const quoted = await t.gql(`mutation($s: Int = "${secret}") { configurePaymentGateway(input: { organizationId: "${a.orgId}", type: SANDBOX, publicId: "pk_default3", apiSecret: $s }) { id } }`, {}, a.testToken);
    expect(quoted.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify([refused.body, quoted.body])).not.toContain(secret);
    expect(await everything()).not.toContain(secret);
  });

  it('@skip and @include are read with the variables\' defaults: a field that did not run has no entry', async () => {
    const k = await adminKey();
    const res = await t.gql(`mutation($s: Boolean = true, $i: Boolean = false) { upsertClub(input: { id: "club_skip", name: "n" }) @skip(if: $s) { id }
      i: upsertClub(input: { id: "club_include", name: "n" }) @include(if: $i) { id } b: upsertClub(input: { id: "club_run", name: "n" }) { id } }`, {}, k.token);
    expect(res.body).toEqual({ data: { b: { id: 'club_run' } } });
    expect((await byKey(k.id)).map((e) => [e.targetIds, e.outcome])).toEqual([[['club_run'], 'ok']]);
  });

  it('a failed audit write is logged and never fails the mutation', async () => {
    await pg.query(`CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''no audit today''; END;'`);
    await pg.query(`CREATE TRIGGER audit_refuse BEFORE INSERT ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION audit_refuse()`);
    try {
      const res = await t.gql('mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }',
        { i: { organizationId: a.orgId, type: 'SANDBOX', publicId: 'pk_unaudited', apiSecret: 'SECRET-OF-THE-UNAUDITED' } }, a.testToken);
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.configurePaymentGateway.id).toMatch(/^gw_/);
    } finally {
      await pg.query('DROP TRIGGER audit_refuse ON "AuditEntry"');
      await pg.query('DROP FUNCTION audit_refuse()');
    }
    const logs = t.logs();
    expect(logs).toMatch(/"level":50[^\n]*audit entries not written/);
    expect(logs).not.toContain('SECRET-OF-THE-UNAUDITED');
  });

  it('is append-only in Postgres: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const [entry] = await rows();
    await expect(pg.query(`UPDATE "AuditEntry" SET outcome = 'ok' WHERE id = $1`, [entry.id])).rejects.toThrow('append-only');
    await expect(pg.query(`DELETE FROM "AuditEntry" WHERE id = $1`, [entry.id])).rejects.toThrow('append-only');
    await expect(pg.query(`TRUNCATE "AuditEntry"`)).rejects.toThrow('append-only');
    expect((await rows('id = $1', [entry.id]))[0].outcome).toBe(entry.outcome);
  });

  describe('auditLog', () => {
    it('is for OWNER and ADMIN: a VIEWER is FORBIDDEN', async () => {
      expect((await list(admin.token, { first: 1 })).edges).toHaveLength(1);
      const res = await t.gql(LIST, {}, viewer.token);
      expect(res.status).toBe(403);
      expect(res.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('pages newest first with keyset cursors, stable while entries are added', async () => {
      const all = (await list(a.testToken, { first: 100 })).edges.map((e) => e.node);
      const times = all.map((n) => Date.parse(n.at));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      const first = await list(a.testToken, { first: 3 });
      await t.gql('mutation { upsertClub(input: { id: "club_late", name: "Late" }) { id } }', {}, admin.token);
      const second = await list(a.testToken, { first: 3, after: first.pageInfo.endCursor });
      expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(all.slice(0, 6).map((n) => n.id));
      expect(second.pageInfo.hasNextPage).toBe(true);
    });

    it('filters by action, actor, target and time', async () => {
      const byAction = await list(a.testToken, { f: { action: 'upsertClub' }, first: 100 });
      expect(byAction.edges.length).toBeGreaterThan(2);
      expect(new Set(byAction.edges.map((e) => e.node.action))).toEqual(new Set(['upsertClub']));
      const byActor = await list(a.testToken, { f: { actorKeyId: viewer.id } });
      expect(byActor.edges.map((e) => e.node.outcome)).toEqual(['FORBIDDEN']);
      const newest = (await list(a.testToken, { first: 1 })).edges[0].node;
      expect((await list(a.testToken, { f: { from: newest.at } })).edges.map((e) => e.node.id)).toContain(newest.id);
      expect((await list(a.testToken, { f: { to: newest.at } })).edges.map((e) => e.node.id)).not.toContain(newest.id);
    });

    it.each([
      ['a reversed range', { f: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }, 'from'],
      ['an empty action', { f: { action: ' ' } }, 'action'],
      ['a foreign cursor', { after: Buffer.from('["x","pay_1"]').toString('base64url') }, 'after'],
      ['a cursor of 30 February', { after: cursorAt('2026-02-30T00:00:00.000Z') }, 'after'],
      ['a cursor of year 0', { after: cursorAt('0000-01-01T00:00:00.000Z') }, 'after'],
      ['a cursor of hour 24', { after: cursorAt('2026-01-01T24:00:00.000Z') }, 'after'],
      ['a page too large', { first: 101 }, 'first'],
    ])('refuses %s with BAD_USER_INPUT', async (_what, variables, field) => {
      const res = await t.gql(LIST, variables, a.testToken);
      expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });

    it('never lists another organization\'s entries, nor another environment\'s', async () => {
      await t.gql('mutation { upsertClub(input: { id: "club_b", name: "B" }) { id } }', {}, b.testToken);
      await t.gql('mutation { upsertClub(input: { id: "club_b_live", name: "B live" }) { id } }', {}, b.token);
      const bIds = new Set((await rows(`"organizationId" = $1`, [b.orgId])).map((e) => e.id));
      expect(bIds.size).toBeGreaterThanOrEqual(2);
      for (const token of [a.token, a.testToken, admin.token]) {
        const seen = (await list(token, { first: 100 })).edges.map((e) => e.node.id);
        expect(seen.filter((id) => bIds.has(id))).toEqual([]);
      }
      // B's ids as filters find nothing either
      expect((await list(a.testToken, { f: { targetId: 'club_b' } })).edges).toEqual([]);
      const test = (await list(a.testToken, { first: 100 })).edges.map((e) => e.node.environment);
      expect(new Set(test)).toEqual(new Set(['TEST']));
      const live = (await list(a.token, { first: 100 })).edges.map((e) => e.node.environment);
      expect(live).not.toContain('TEST');
      expect(live).toContain('LIVE');
      // and B sees its own
      expect((await list(b.testToken)).edges.map((e) => e.node.targetIds)).toEqual([['club_b']]);
    });
  });

  describe('under a rate limit', () => {
    let limited: TestApp;
    afterAll(() => limited?.close());

    it('a mutation the rate limit refuses writes nothing (a flood is not turned into writes)', async () => {
      limited = await startTestApp('auditlimited', { RATE_LIMIT_PER_MINUTE: '200' });
      const org = await makeOrg(limited.deps, 'Limited');
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 30 && !codes.includes('RATE_LIMITED'); i++) {
        const res = await limited.gql(`mutation { upsertClub(input: { id: "club_${i}", name: "C" }) { id } }`, {}, org.token);
        codes.push(res.body.errors?.[0].extensions?.code);
      }
      expect(codes).toContain('RATE_LIMITED');
      const stored = await limited.deps.db.auditEntry.findMany({ where: { organizationId: org.orgId } });
      expect(stored.map((e) => e.outcome)).toEqual(Array(codes.length - 1).fill('ok'));
    });
  });

  describe('the CLI', () => {
    const run = promisify(execFile);
    const cli = (...args: string[]) => run(process.execPath, ['dist/cli/index.js', ...args], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, DATABASE_URL: t.deps.config.databaseUrl.reveal(), LOG_LEVEL: 'silent', PAYGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
    });

    it('records each command on an organization as cli:<command>, with no actor and no token', async () => {
      const org = JSON.parse((await cli('org', 'create', '--name', 'CLI org', '--json')).stdout);
      const key = JSON.parse((await cli('token', 'create', '--org', org.organizationId, '--role', 'ADMIN', '--env', 'test', '--name', 'ops', '--json')).stdout);
      await cli('token', 'list', '--org', org.organizationId, '--json');
      await cli('token', 'revoke', key.id, '--json');
      await expect(cli('token', 'create', '--org', org.organizationId, '--role', 'KING')).rejects.toThrow();
      const entries = await rows(`"organizationId" = $1`, [org.organizationId]);
      expect(entries.map((e) => [e.action, e.environment, e.targetIds, e.outcome, e.actorKeyId, e.actorRole, e.remoteAddress])).toEqual([
        ['cli:org create', null, [org.organizationId], 'ok', null, null, null],
        ['cli:token create', 'TEST', [org.organizationId, key.id], 'ok', null, null, null],
        ['cli:token list', null, [org.organizationId], 'ok', null, null, null],
        ['cli:token revoke', 'TEST', [key.id], 'ok', null, null, null],
        ['cli:token create', 'LIVE', [org.organizationId], 'BAD_USER_INPUT', null, null, null],
      ]);
      expect(entries[1].input).toEqual({ org: org.organizationId, role: 'ADMIN', env: 'test', name: 'ops' });
      const stored = await everything();
      for (const token of [org.token, org.testToken, key.token]) expect(stored).not.toContain(token);
      // a LIVE key sees the organization-wide commands and LIVE's; a TEST key TEST's only
      const live = (await list(org.token, { first: 100 })).edges.map((e) => e.node.action);
      expect(live).toEqual(expect.arrayContaining(['cli:org create', 'cli:token list', 'cli:token create']));
      expect((await list(org.testToken, { first: 100 })).edges.map((e) => e.node.action)).toEqual(['cli:token revoke', 'cli:token create']);
    });

    it('records demo seed in the demo organization, TEST, without its key', async () => {
      const seeded = JSON.parse((await cli('demo', 'seed', '--json')).stdout);
      const [entry] = await rows(`"organizationId" = $1 AND action = 'cli:demo seed'`, [seeded.organizationId]);
      expect(entry).toMatchObject({ environment: 'TEST', outcome: 'ok', targetIds: [seeded.organizationId, seeded.gatewayId], actorKeyId: null });
      expect(await everything()).not.toContain(seeded.token);
    });

    it('records nothing for a command that names no existing organization', async () => {
      const before = await count();
      await expect(cli('token', 'create', '--org', 'org_nowhere', '--role', 'ADMIN')).rejects.toThrow();
      await expect(cli('token', 'revoke', 'tok_nowhere')).rejects.toThrow();
      expect(await count()).toBe(before);
    });
  });
});

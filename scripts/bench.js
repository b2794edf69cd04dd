#!/usr/bin/env node
// `npm run bench`: builds, starts the real service (`node dist/main.js`, api and worker in one
// process, as the README runs it) on a fresh `paygate_bench` database, seeds it through the public
// API, and prints from one run the two ratios of docs/performance.md with their references
// measured in the same run:
//   R1  Pay callbacks → balances credited, end to end, payments/s, at BENCH_CALLBACK_CONNECTIONS
//       (8) ÷ pgbench of the least SQL a confirmed top-up needs (bench/reference/, same machine,
//       same database, c=8, 10 s, before and after the Pay run, averaged);
//   R2  payment(id) over GraphQL ÷ a bare node:http + pg prepared-statement lookup, autocannon
//       c=50, 10 s each, three rounds, medians.
// Also: all payments for one client (the hot row) against the 100-client case, the cost per
// payment with 1 k and with 100 k payments in the table, and the CSV export of the whole 100 k
// table (time, and the service's resident memory before, at its peak and after: bench/export.js).
// Numbers are reported, never asserted; the exit code is 1 only when a correctness check fails (a
// callback not answered {"code":0}, a payment not credited, a balance that is not Σ its ledger).
//
// Knobs (environment): BENCH_PAYMENTS (4000), BENCH_CLIENTS (100), BENCH_CALLBACK_CONNECTIONS (8),
// BENCH_QUERY_SECONDS (10), BENCH_QUERY_CONNECTIONS (50), BENCH_QUERY_ROUNDS (3), BENCH_PGBENCH_SECONDS (10),
// BENCH_SIZE_PAYMENTS (1000), BENCH_BIG_TABLE (100000), BENCH_CREDIT_TIMEOUT_SECONDS (180), BENCH_LIST_SECONDS (5),
// BENCH_PG_URL (postgresql://postgres@127.0.0.1:5432), BENCH_DATABASE (paygate_bench), REDIS_URL, BENCH_PROFILE=1,
// BENCH_ONLY=query (R2 alone).
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const { Redis } = require('ioredis');
const { dropDatabase, migrate } = require('./db');
const { envInt, freePort, waitFor, startService, countWarnings, tail, gql, pool, round } = require('../bench/lib');
const { startBareServer } = require('../bench/bare-server');
const { benchExport } = require('../bench/export');

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SERVICE_LOG = path.join(RESULTS_DIR, 'service.log');
const REFERENCE_DIR = path.join(ROOT, 'bench', 'reference');

let opts;
try {
  opts = {
    payments: envInt('BENCH_PAYMENTS', 4000),
    clients: envInt('BENCH_CLIENTS', 100),
    callbackConnections: envInt('BENCH_CALLBACK_CONNECTIONS', 8),
    querySeconds: envInt('BENCH_QUERY_SECONDS', 10),
    queryConnections: envInt('BENCH_QUERY_CONNECTIONS', 50),
    queryRounds: envInt('BENCH_QUERY_ROUNDS', 3),
    pgbenchSeconds: envInt('BENCH_PGBENCH_SECONDS', 10),
    sizePayments: envInt('BENCH_SIZE_PAYMENTS', 1000),
    bigTable: envInt('BENCH_BIG_TABLE', 100_000),
    creditTimeoutSeconds: envInt('BENCH_CREDIT_TIMEOUT_SECONDS', 180),
    listSeconds: envInt('BENCH_LIST_SECONDS', 5),
  };
} catch (err) {
  process.stderr.write(`[bench] ${err.message}\n`);
  process.exit(1);
}
const PG_BASE = (process.env.BENCH_PG_URL || 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const DATABASE = process.env.BENCH_DATABASE || 'paygate_bench';
const DATABASE_URL = `${PG_BASE}/${DATABASE}`;
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const QUEUE_PREFIX = `paygate_bench_${process.pid}`;
// A fixed, throw-away key: the bench database is dropped at the end.
const ENCRYPTION_KEY = Buffer.alloc(32, 0x5b).toString('base64');
const API_SECRET = 'bench-api-secret-not-a-real-one';
const AMOUNT = 100;
const CLUB_ID = 'club_bench';
const clientIdOf = (i) => `client_bench_${String(i).padStart(3, '0')}`;
const HOT_CLIENT_ID = 'client_bench_hot';
const WARM_UP_PAYMENTS = 500;
const FILLER_CLIENT_ID = 'client_bench_filler';

const PAYMENT_QUERY = 'query($id: ID!) { payment(id: $id) { id status amount clientId createdAt confirmedAt gatewayTransactionId } }';
// The back office's selective page: one client's confirmed payments, with the totals of the set.
const LIST_QUERY = `query($f: PaymentFilter) { payments(filter: $f, first: 20) {
  totalCount totals { status currency count amount } edges { cursor node { id status amount createdAt confirmedAt } } } }`;

const say = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function gitRevision() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'prisma'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return null;
  }
}

/** Everything started so far, undone in reverse by cleanup(). */
const state = { service: null, bare: null, pg: null, databaseCreated: false };

async function cleanup() {
  const { bare, pg, service, databaseCreated } = state;
  state.bare = state.pg = state.service = null;
  state.databaseCreated = false;
  const steps = [
    ['bare server', async () => bare && (await bare.close())],
    ['pg pool', async () => pg && (await pg.end())],
    ['service', async () => {
      if (!service) return;
      const res = await service.stop();
      if (res.code !== 0) say(`service exited with ${res.signal ?? `code ${res.code}`} (log: ${path.relative(ROOT, SERVICE_LOG)})`);
    }],
    ['database', async () => databaseCreated && (await dropDatabase(DATABASE_URL))],
    ['redis keys', () => deleteRedisKeys(`${QUEUE_PREFIX}:*`)],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (err) {
      say(`cleanup of ${what} failed: ${err.message}`);
    }
  }
}

async function deleteRedisKeys(pattern) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // connect() rejects with the reason
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------- setup

async function startPaygate() {
  say('building…');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

  say(`fresh database ${DATABASE}…`);
  await dropDatabase(DATABASE_URL);
  state.databaseCreated = true;
  await migrate(DATABASE_URL, { quiet: true });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    SANDBOX_ENABLED: 'true', // the bench pays through the sandbox gateway
    DATABASE_URL,
    REDIS_URL,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    QUEUE_PREFIX,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    PAYGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
  };
  delete env.PAYGATE_ENCRYPTION_OLD_KEYS;
  delete env.PAYGATE_ROLE;
  state.service = startService({ root: ROOT, env, logFile: SERVICE_LOG });
  say(`starting node dist/main.js on ${url} (log: ${path.relative(ROOT, SERVICE_LOG)})…`);
  await waitFor('GET /readyz = 200', async () => {
    const exited = state.service.exited();
    if (exited) throw Object.assign(new Error(`the service exited (${exited.signal ?? `code ${exited.code}`}):\n${tail(SERVICE_LOG)}`), { fatal: true, userFacing: true });
    const res = await fetch(`${url}/readyz`).catch(() => null);
    return res?.status === 200;
  }, { timeoutMs: 30_000, everyMs: 100 }).catch((err) => {
    throw err.fatal ? err : new Error(`${err.message}\n${tail(SERVICE_LOG)}`);
  });
  return { url, env };
}

async function seed(url, env) {
  const org = JSON.parse(execFileSync(process.execPath, ['dist/cli/index.js', 'org', 'create', '--name', 'Bench', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, LOG_LEVEL: 'warn' },
  }));
  // The sandbox is a TEST gateway: the bench works with the organization's TEST key and balances.
  const { organizationId, testToken: token } = org;
  const gw = await gql(url, token, 'mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', {
    i: { organizationId, type: 'SANDBOX', publicId: 'pk_bench', apiSecret: API_SECRET, description: 'bench' },
  });
  await gql(url, token, 'mutation($club: ClubInput!) { upsertClub(input: $club) { id } }', { club: { id: CLUB_ID, name: 'Bench club' } });
  const clients = [...Array.from({ length: opts.clients }, (_, i) => clientIdOf(i)), HOT_CLIENT_ID, FILLER_CLIENT_ID];
  await pool(clients, 10, (id) => gql(url, token, 'mutation($c: ClientInput!) { upsertClient(input: $c) { id } }', { c: { id, clubId: CLUB_ID, name: id } }));
  // One payment made as a client makes it; the bench's others are its copies (see clonePayments).
  const template = await gql(url, token, 'mutation($input: InitiatePaymentInput!) { initiateTopUpPayment(input: $input) { transactionId } }', {
    input: { clientId: HOT_CLIENT_ID, clubId: CLUB_ID, amount: AMOUNT, description: 'bench top-up' },
  });
  return { organizationId, token, gatewayId: gw.configurePaymentGateway.id, templateId: template.initiateTopUpPayment.transactionId };
}

/**
 * n PENDING payments copied from the one initiateTopUpPayment made (same gateway, amount, expiry…),
 * for the clients clientOf(i) picks: seeding through the API would take longer than the run.
 */
async function clonePayments(pg, shop, tag, n, clientOf, status = 'PENDING') {
  const { rows: cols } = await pg.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Payment' AND table_schema = 'public'`);
  const fixed = { id: `'pay_bench_${tag}_' || lpad(g::text, 7, '0')`, clientId: 'c.client', status: `'${status}'`, idempotencyKey: 'NULL', createdAt: 'now()', updatedAt: 'now()', gatewayTransactionId: status === 'PENDING' ? 'NULL' : `'txn_${tag}_' || g`, confirmedAt: status === 'PENDING' ? 'NULL' : 'now()' };
  const names = cols.map((c) => c.column_name);
  const select = names.map((c) => (c in fixed ? fixed[c] : `p."${c}"`)).join(', ');
  const clients = Array.from({ length: n }, (_, i) => clientOf(i));
  const { rows } = await pg.query(`
    INSERT INTO "Payment" (${names.map((c) => `"${c}"`).join(', ')})
    SELECT ${select} FROM "Payment" p, unnest($2::text[]) WITH ORDINALITY AS c(client, g)
     WHERE p.id = $1
    RETURNING id, "clientId"`, [shop.templateId, clients]);
  return rows.sort((a, b) => a.id.localeCompare(b.id)).map((r) => ({ id: r.id, clientId: r.clientId }));
}

// ---------------------------------------------------------------- 1. Pay callbacks

/** Pay notifications exactly as CloudPayments (and our sandbox) sends them, signed with Content-HMAC. */
function payNotifications(payments, firstTransactionId) {
  const { encodeForm } = require(path.join(ROOT, 'dist/gateways/cloudpayments/wire.js'));
  const { hmacBase64 } = require(path.join(ROOT, 'dist/gateways/cloudpayments/signature.js'));
  const dateTime = new Date().toISOString().replace('T', ' ').slice(0, 19);
  return payments.map(({ id, clientId }, i) => {
    const body = encodeForm({
      TransactionId: firstTransactionId + i,
      Amount: AMOUNT.toFixed(2),
      Currency: 'RUB',
      PaymentAmount: AMOUNT.toFixed(2),
      PaymentCurrency: 'RUB',
      InvoiceId: id,
      AccountId: clientId,
      Status: 'Completed',
      OperationType: 'Payment',
      TestMode: 1,
      DateTime: dateTime,
      CardFirstSix: '411111',
      CardLastFour: '1111',
      CardType: 'Visa',
      // A Pay names the acquirer (GatewayName): without it the fields say Check (docs/gateways.md 1.3).
      GatewayName: 'Test',
      AuthCode: 'A1B2C3',
      TotalFee: 0,
    });
    return { id, body, hmac: hmacBase64(API_SECRET, body) };
  });
}

async function benchCallbacks(url, notes) {
  const answers = new Array(notes.length).fill(null);
  let next = 0;
  let lastResponseAt = 0;
  const started = Date.now();
  const result = await autocannon({
    url,
    method: 'POST',
    connections: Math.min(opts.callbackConnections, notes.length),
    amount: notes.length,
    timeout: 30,
    requests: [{
      method: 'POST',
      setupRequest(req, context) {
        // autocannon calls this exactly once per request it sends (`amount` caps the total).
        const i = next++;
        const n = notes[i % notes.length];
        context.i = i;
        return {
          ...req,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-hmac': n.hmac },
          body: n.body,
        };
      },
      onResponse(status, body, context) {
        lastResponseAt = Date.now();
        if (context.i < answers.length) answers[context.i] = { status, body };
      },
    }],
  });
  const ok = answers.filter((a) => {
    if (!a || a.status !== 200) return false;
    try {
      return JSON.parse(a.body).code === 0;
    } catch {
      return false;
    }
  }).length;
  const wallSeconds = ((lastResponseAt || Date.now()) - started) / 1000;
  return {
    requests: notes.length,
    sent: Math.min(next, notes.length),
    connections: Math.min(opts.callbackConnections, notes.length),
    answeredCode0: ok,
    unanswered: answers.filter((a) => !a).length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    reqPerSec: round(result.requests.average),
    reqPerSecWallClock: round(notes.length / wallSeconds),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    seconds: result.duration,
    ok: ok === notes.length && result.non2xx === 0 && result.errors === 0 && result.timeouts === 0,
  };
}

// ---------------------------------------------------------------- Pay → credited, end to end

let nextTransactionId = 3_000_000_000;

/**
 * Fires one signed Pay per payment at `connections`, waits until every one is credited, and
 * measures from the database: first callback received → last ledger entry booked.
 */
async function payRun(pg, url, shop, payments) {
  const ids = payments.map((p) => p.id);
  const notes = payNotifications(payments, nextTransactionId);
  nextTransactionId += payments.length;
  const callbacks = await benchCallbacks(`${url}/payments/cloudpayments/${shop.gatewayId}/pay`, notes);
  const countSql = `SELECT count(*)::int AS n FROM "LedgerEntry" WHERE kind = 'TOP_UP' AND "paymentId" = ANY($1::text[])`;
  let credited = 0;
  await waitFor(`${ids.length} TOP_UP ledger entries`, async () => {
    credited = (await pg.query(countSql, [ids])).rows[0].n;
    return credited >= ids.length;
  }, { timeoutMs: opts.creditTimeoutSeconds * 1000, everyMs: 100 }).catch((err) => say(`${err.message}; reporting what was credited`));
  const { rows: [t] } = await pg.query(`
    SELECT extract(epoch FROM (SELECT max(l."at") FROM "LedgerEntry" l WHERE l.kind = 'TOP_UP' AND l."paymentId" = ANY($1::text[]))
                          - (SELECT min(c."receivedAt") FROM "GatewayCallback" c WHERE c.kind = 'pay' AND c."paymentId" = ANY($1::text[]))) AS seconds`, [ids]);
  const { rows: [lat] } = await pg.query(`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
      FROM (SELECT extract(epoch FROM (l."at" - c."receivedAt")) * 1000 AS ms
              FROM "GatewayCallback" c JOIN "LedgerEntry" l ON l."paymentId" = c."paymentId" AND l.kind = 'TOP_UP'
             WHERE c.kind = 'pay' AND c."paymentId" = ANY($1::text[])) x`, [ids]);
  const seconds = Number(t.seconds);
  return {
    payments: ids.length,
    firstId: ids[0],
    credited,
    endToEndPerSec: round(ids.length / seconds),
    endToEndSeconds: round(seconds, 2),
    msPerPayment: round((seconds * 1000) / ids.length, 3),
    callbackToCreditMs: { p50: round(lat.p50), p99: round(lat.p99) },
    callbacks,
    ok: callbacks.ok && credited === ids.length,
  };
}

/** Every bench client's balance is Σ its ledger, and is what its credited payments add up to. */
async function balancesHold(pg, shop) {
  const { rows } = await pg.query(`
    SELECT c.id, c."testBalance"::text AS balance, coalesce(l.total, 0)::text AS ledger, coalesce(p.total, 0)::text AS paid
      FROM "Client" c
      LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM "LedgerEntry" e WHERE e."organizationId" = c."organizationId" AND e."clientId" = c.id AND e.environment = 'TEST') l ON true
      LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM "Payment" x WHERE x."organizationId" = c."organizationId" AND x."clientId" = c.id
                          AND EXISTS (SELECT 1 FROM "LedgerEntry" e WHERE e."paymentId" = x.id AND e.kind = 'TOP_UP')) p ON true
     WHERE c."organizationId" = $1`, [shop.organizationId]);
  const wrong = rows.filter((r) => Number(r.balance) !== Number(r.ledger) || Number(r.ledger) !== Number(r.paid));
  return { clients: rows.length, wrong: wrong.slice(0, 5), ok: wrong.length === 0 };
}

// ---------------------------------------------------------------- the pgbench reference

function pgbenchAvailable() {
  return spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).status === 0;
}

async function prepareReference(pg) {
  await pg.query(fs.readFileSync(path.join(REFERENCE_DIR, 'pay-schema.sql'), 'utf8'));
}

/** tps of bench/reference/pay.pgbench, c=8, one pgbench transaction = one confirmed top-up. */
function pgbench() {
  const res = spawnSync('pgbench', ['-n', '-c', '8', '-j', '2', '-T', String(opts.pgbenchSeconds), '-f', path.join(REFERENCE_DIR, 'pay.pgbench'), DATABASE_URL], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(res.stdout ?? '');
  if (res.status !== 0 || !tps) throw new Error(`pgbench failed: ${(res.stderr || res.stdout || '').slice(0, 500)}`);
  return round(Number(tps[1]));
}

// ---------------------------------------------------------------- the 100 k table

/** Fills the payment table (and the history, callback and outbox tables with it) to `total` rows. */
async function fillTo(pg, shop, total) {
  const { rows: [{ n }] } = await pg.query('SELECT count(*)::int AS n FROM "Payment"');
  if (n >= total) return n;
  const filler = await clonePayments(pg, shop, 'filler', total - n, () => FILLER_CLIENT_ID, 'CONFIRMED');
  const ids = filler.map((p) => p.id);
  await pg.query(`INSERT INTO "PaymentEvent" ("paymentId", "fromStatus", "toStatus", actor, reason, code) SELECT id, 'PENDING', 'CONFIRMED', 'bench', 'filler', 'PAID' FROM unnest($1::text[]) id`, [ids]);
  await pg.query(`INSERT INTO "Outbox" (key, "organizationId", kind, payload, status, "processedAt") SELECT 'credit-' || id, $2, 'payment.credit', jsonb_build_object('paymentId', id), 'DONE', now() FROM unnest($1::text[]) id`, [ids, shop.organizationId]);
  await pg.query(`INSERT INTO "GatewayCallback" (id, "gatewayId", "gatewayType", kind, headers, verdict, "paymentId", result, body, "bodySha256")
                  SELECT 'cb_filler_' || id, $2, 'SANDBOX', 'pay', '{}', 'VALID', id, '{}', '{}', md5(id) FROM unnest($1::text[]) id`, [ids, shop.gatewayId]);
  await pg.query('ANALYZE');
  return total;
}

// ---------------------------------------------------------------- payment(id)

async function loadTest(label, { url, method = 'GET', headers, body }, { connections = opts.queryConnections, seconds = opts.querySeconds } = {}) {
  // The first answer is the reference: every later answer must be byte-identical.
  const first = await fetch(url, { method, headers, body });
  const expectBody = await first.text();
  if (first.status !== 200 || expectBody.includes('"errors"')) throw new Error(`${label}: HTTP ${first.status} ${expectBody.slice(0, 300)}`);
  const result = await autocannon({ url, method, headers, body, connections, duration: seconds, expectBody });
  return {
    reqPerSec: round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    ok: result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.mismatches === 0,
  };
}

/** The payments list for one client (a UI's page and its totals), autocannon c=10. */
async function benchList(url, shop) {
  const result = await loadTest('GraphQL payments(filter)', {
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` },
    body: JSON.stringify({ query: LIST_QUERY, variables: { f: { clientId: clientIdOf(7), status: ['CONFIRMED'] } } }),
  }, { connections: 10, seconds: opts.listSeconds });
  return { reqPerSec: result.reqPerSec, p50: result.latencyMs.p50, p99: result.latencyMs.p99, ok: result.ok };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Rounds of (bare, GraphQL), alternating so a noisy neighbour hits both alike; medians. */
async function benchQuery(url, shop, paymentId) {
  const rounds = [];
  for (let i = 0; i < opts.queryRounds; i++) {
    const bare = await loadTest('bare GET /payment/:id', { url: `${state.bare.url}/payment/${paymentId}` });
    const graphql = await loadTest('GraphQL payment(id)', {
      url: `${url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` },
      body: JSON.stringify({ query: PAYMENT_QUERY, variables: { id: paymentId } }),
    });
    rounds.push({ bare, graphql });
    say(`  round ${i + 1}: GraphQL ${graphql.reqPerSec} req/s, bare ${bare.reqPerSec} req/s`);
  }
  const graphql = median(rounds.map((r) => r.graphql.reqPerSec));
  const bare = median(rounds.map((r) => r.bare.reqPerSec));
  return {
    rounds,
    graphqlMedian: graphql,
    bareMedian: bare,
    graphqlP99Median: median(rounds.map((r) => r.graphql.latencyMs.p99)),
    R2: bare ? round(graphql / bare, 2) : null,
    ok: rounds.every((r) => r.graphql.ok && r.bare.ok),
  };
}

// ---------------------------------------------------------------- report

function summary(r) {
  const ms = (v) => (v === null || v === undefined ? 'n/a' : `${v} ms`);
  const check = (ok) => (ok ? 'OK' : 'FAILED');
  const run = (label, x) => [
    `  ${label.padEnd(18)}${x.payments} payments: ${x.endToEndPerSec} credited/s end to end (${x.endToEndSeconds} s, ${x.msPerPayment} ms per payment)  ${check(x.ok)}`,
    `    callbacks       ${x.callbacks.reqPerSecWallClock} answered/s   p50 ${ms(x.callbacks.latencyMs.p50)}   p99 ${ms(x.callbacks.latencyMs.p99)}   ${x.callbacks.answeredCode0}/${x.payments} {"code":0}`,
    `    callback→credit p50 ${ms(x.callbackToCreditMs.p50)}   p99 ${ms(x.callbackToCreditMs.p99)}`,
  ];
  const q = r.paymentQuery;
  return [
    '',
    `Paygate benchmark  ${r.startedAt}  rev ${r.revision ?? '?'}  node ${r.node}  ${r.cpus}`,
    '',
    `R1  Pay → credited ÷ pgbench reference   ${r.R1 ?? 'n/a'}   (target ≥ 0.30, aim 0.50)`,
    `  pgbench           ${r.pgbench.before ?? 'n/a'} tps before, ${r.pgbench.after ?? 'n/a'} after, ${r.pgbench.average ?? 'n/a'} average (c=8, ${opts.pgbenchSeconds} s, bench/reference/pay.pgbench)`,
    ...run(`${opts.clients} clients`, r.main),
    ...run('one client', r.hot),
    `  one ÷ ${opts.clients} clients   ${r.hotToMain}   (target ≥ 0.5)`,
    '',
    `R2  payment(id) GraphQL ÷ bare node:http+pg   ${q.R2}   (target ≥ 0.40, aim 0.50)`,
    `  GraphQL           ${q.graphqlMedian} req/s median of ${q.rounds.length} (${q.rounds.map((x) => x.graphql.reqPerSec).join(', ')}), p99 ${ms(q.graphqlP99Median)}, c=${opts.queryConnections}  ${check(q.rounds.every((x) => x.graphql.ok))}`,
    `  bare              ${q.bareMedian} req/s median of ${q.rounds.length} (${q.rounds.map((x) => x.bare.reqPerSec).join(', ')})  ${check(q.rounds.every((x) => x.bare.ok))}`,
    '',
    `Table size (cost per payment, ${opts.sizePayments} Pays each)`,
    ...run(`${r.small.tableRows} in table`, r.small.run),
    ...run(`${r.big.tableRows} in table`, r.big.run),
    `  100 k ÷ 1 k cost  ${r.bigToSmallCost}   (flat = 1.0)`,
    '',
    `Payments list (one client's confirmed payments: a page of 20 and the totals, c=10, ${opts.listSeconds} s)`,
    ...[r.small, r.big].map((x) => `  ${`${x.tableRows} in table`.padEnd(18)}p50 ${ms(x.list.p50)}   p99 ${ms(x.list.p99)}   ${x.list.reqPerSec} req/s  ${check(x.list.ok)}   (target p99 < 50 ms)`),
    '',
    `CSV export          ${r.csvExport.rows} rows, ${round(r.csvExport.bytes / 1048576)} MB in ${r.csvExport.seconds} s (${r.csvExport.rowsPerSec} rows/s)  ${check(r.csvExport.ok)}`,
    `  service RSS       before ${r.csvExport.rssMb.before ?? 'n/a'} MB, peak ${r.csvExport.rssMb.peak ?? 'n/a'} MB, after ${r.csvExport.rssMb.after ?? 'n/a'} MB`,
    '',
    `balances            ${r.balances.clients} clients, each Σ its ledger and its credited payments  ${check(r.balances.ok)}`,
    `service log         ${r.serviceLogWarnings} lines at warn or above in ${path.relative(ROOT, SERVICE_LOG)}`,
    `results             ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest.json'))}`,
    '',
  ].join('\n');
}

async function main() {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const { url, env } = await startPaygate();
  const shop = await seed(url, env);
  state.pg = new Pool({ connectionString: DATABASE_URL, max: 2 });
  // DROP DATABASE … WITH (FORCE) at cleanup terminates connections pg may not have closed yet.
  state.pg.on('error', () => undefined);
  const pg = state.pg;
  const spread = (i) => clientIdOf(i % opts.clients);
  if (process.env.BENCH_ONLY === 'query') return queryOnly(url, shop, pg, spread);

  // A warm-up, so the first measured run does not pay for the service's cold start (JIT, pools).
  say('warming up…');
  const warmUp = await payRun(pg, url, shop, await clonePayments(pg, shop, 'warm', WARM_UP_PAYMENTS, spread));
  say(`${opts.sizePayments} Pays with ~${opts.sizePayments + WARM_UP_PAYMENTS} payments in the table…`);
  const smallRows = opts.sizePayments + WARM_UP_PAYMENTS + 1;
  const small = { tableRows: smallRows, run: await payRun(pg, url, shop, await clonePayments(pg, shop, 'small', opts.sizePayments, spread)) };
  say('payments list, one client\'s page and totals…');
  small.list = await benchList(url, shop);

  const pgbenchOk = pgbenchAvailable();
  if (!pgbenchOk) say('pgbench not found (Debian: postgresql-client): R1 is not computed');
  else await prepareReference(pg);
  say('pgbench reference…');
  const before = pgbenchOk ? pgbench() : null;
  say(`${opts.payments} Pays over ${opts.clients} clients, ${opts.callbackConnections} connections…`);
  const mainRun = await payRun(pg, url, shop, await clonePayments(pg, shop, 'main', opts.payments, spread));
  say('pgbench reference again…');
  const after = pgbenchOk ? pgbench() : null;
  const average = pgbenchOk ? round((before + after) / 2) : null;

  const hotN = Math.max(1, Math.round(opts.payments / 2));
  say(`${hotN} Pays for one client…`);
  const hot = await payRun(pg, url, shop, await clonePayments(pg, shop, 'hot', hotN, () => HOT_CLIENT_ID));

  say(`filling the payment table to ${opts.bigTable} rows…`);
  const bigRows = await fillTo(pg, shop, opts.bigTable);
  say(`${opts.sizePayments} Pays with ${bigRows} payments in the table…`);
  const big = { tableRows: bigRows + opts.sizePayments, run: await payRun(pg, url, shop, await clonePayments(pg, shop, 'big', opts.sizePayments, spread)) };
  say('payments list again…');
  big.list = await benchList(url, shop);
  say('CSV export of every payment…');
  const { rows: [{ n: exportable }] } = await pg.query('SELECT count(*)::int AS n FROM "Payment" WHERE "organizationId" = $1 AND environment = \'TEST\' AND "deletedAt" IS NULL', [shop.organizationId]);
  const csvExport = await benchExport({ url, token: shop.token, pid: state.service.pid, expectRows: exportable });

  say(`payment(id): ${opts.queryRounds} rounds of bare then GraphQL, ${opts.querySeconds} s each, c=${opts.queryConnections}…`);
  state.bare = await startBareServer({ databaseUrl: DATABASE_URL, organizationId: shop.organizationId, port: await freePort() });
  const paymentQuery = await benchQuery(url, shop, mainRun.firstId);
  await state.bare.close();
  state.bare = null;

  const balances = await balancesHold(pg, shop);
  const report = {
    startedAt,
    revision: gitRevision(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
    options: opts,
    R1: average ? round(mainRun.endToEndPerSec / average, 2) : null,
    pgbench: { before, after, average },
    main: mainRun,
    hot,
    hotToMain: round(hot.endToEndPerSec / mainRun.endToEndPerSec, 2),
    paymentQuery,
    small,
    big,
    bigToSmallCost: round(big.run.msPerPayment / small.run.msPerPayment, 2),
    csvExport,
    balances,
    serviceLogWarnings: countWarnings(SERVICE_LOG),
  };
  report.ok = warmUp.ok && small.run.ok && mainRun.ok && hot.ok && big.run.ok && paymentQuery.ok && balances.ok && small.list.ok && big.list.ok && csvExport.ok;
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(summary(report));
  if (!report.ok) process.exitCode = 1;
}
/** BENCH_ONLY=query: R2 alone, on a table of BENCH_SIZE_PAYMENTS confirmed payments (for iterating on the read path). */
async function queryOnly(url, shop, pg, spread) {
  const [first] = await clonePayments(pg, shop, 'query', opts.sizePayments, spread, 'CONFIRMED');
  say(`payment(id) only: ${opts.queryRounds} rounds of bare then GraphQL, ${opts.querySeconds} s each, c=${opts.queryConnections}…`);
  state.bare = await startBareServer({ databaseUrl: DATABASE_URL, organizationId: shop.organizationId, port: await freePort() });
  const q = await benchQuery(url, shop, first.id);
  process.stdout.write(`\nR2  payment(id) GraphQL ÷ bare node:http+pg   ${q.R2}   GraphQL ${q.graphqlMedian} req/s (p99 ${q.graphqlP99Median} ms), bare ${q.bareMedian} req/s  ${q.ok ? 'OK' : 'FAILED'}\n`);
  if (!q.ok) process.exitCode = 1;
}

/** Runs `body` with the service started and seeded; cleans up whatever happens, Ctrl-C included. */
function run(body) {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      say(`${signal}: cleaning up…`);
      cleanup().finally(() => process.exit(130));
    });
  }
  body()
    .catch((err) => {
      if (interrupted) return; // the failure is the interruption's doing
      process.stderr.write(`[bench] failed: ${err.userFacing ? err.message : err.stack}\n`);
      process.exitCode = 1;
    })
    .finally(async () => {
      if (interrupted) return;
      say('stopping the service and dropping the bench database…');
      await cleanup();
    });
}

if (require.main === module) run(main);

module.exports = { ROOT, API_SECRET, run, startPaygate, seed, clonePayments, payNotifications, state, opts, say, gitRevision, RESULTS_DIR, SERVICE_LOG, DATABASE_URL, AMOUNT, PAYMENT_QUERY, clientIdOf, HOT_CLIENT_ID };

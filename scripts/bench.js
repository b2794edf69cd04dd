#!/usr/bin/env node
// `npm run bench`: builds, starts the real service (`node dist/main.js`) on a fresh `paygate_bench`
// database, seeds it through the public API, then measures
//   1. CloudPayments "Pay" callbacks: one signed notification per payment (autocannon), against a
//      bare Fastify + pg route doing the least a Pay must do (bench/bare-server.js),
//   2. callback -> balance credited: GatewayCallback.receivedAt -> LedgerEntry.at, per payment,
//   3. payment(id) over GraphQL against a bare Fastify + pg route doing the same lookup.
// Prints a summary and writes it to bench/results/latest.json. Numbers are reported, never asserted;
// the exit code is 1 only when a correctness check fails (a callback not answered {"code":0},
// a payment not credited, a balance that does not add up).
//
// Knobs (environment): BENCH_PAYMENTS (2000), BENCH_SEED_CONCURRENCY (20), BENCH_CALLBACK_CONNECTIONS (20),
// BENCH_QUERY_SECONDS (10), BENCH_QUERY_CONNECTIONS (20), BENCH_CREDIT_TIMEOUT_SECONDS (120),
// BENCH_PG_URL (postgresql://postgres@127.0.0.1:5432), BENCH_DATABASE (paygate_bench), REDIS_URL.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const { Redis } = require('ioredis');
const { dropDatabase, migrate } = require('./db');
const { envInt, freePort, waitFor, startService, countWarnings, tail, gql, pool, round } = require('../bench/lib');
const { startBareServer } = require('../bench/bare-server');

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SERVICE_LOG = path.join(RESULTS_DIR, 'service.log');

let opts;
try {
  opts = {
    payments: envInt('BENCH_PAYMENTS', 2000),
    seedConcurrency: envInt('BENCH_SEED_CONCURRENCY', 20),
    callbackConnections: envInt('BENCH_CALLBACK_CONNECTIONS', 20),
    querySeconds: envInt('BENCH_QUERY_SECONDS', 10),
    queryConnections: envInt('BENCH_QUERY_CONNECTIONS', 20),
    creditTimeoutSeconds: envInt('BENCH_CREDIT_TIMEOUT_SECONDS', 120),
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
const CLIENT_ID = 'client_bench';
/** The reference Pay route's payments belong to a client of their own, so the checks of ours stay exact. */
const REFERENCE_CLIENT_ID = 'client_bench_reference';

const PAYMENT_QUERY = 'query($id: ID!) { payment(id: $id) { id status amount clientId createdAt confirmedAt gatewayTransactionId } }';

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
  // The sandbox is a TEST gateway: the bench works with the organization's TEST key and balance.
  const { organizationId, testToken: token } = org;
  const gw = await gql(url, token, 'mutation($i: PaymentGatewayInput!) { configurePaymentGateway(input: $i) { id } }', {
    i: { organizationId, type: 'SANDBOX', publicId: 'pk_bench', apiSecret: API_SECRET, description: 'bench' },
  });
  await gql(url, token, 'mutation($club: ClubInput!, $client: ClientInput!, $ref: ClientInput!) { upsertClub(input: $club) { id } upsertClient(input: $client) { id } ref: upsertClient(input: $ref) { id } }', {
    club: { id: CLUB_ID, name: 'Bench club' },
    client: { id: CLIENT_ID, clubId: CLUB_ID, name: 'Bench client' },
    ref: { id: REFERENCE_CLIENT_ID, clubId: CLUB_ID, name: 'Bench reference client' },
  });
  return { organizationId, token, gatewayId: gw.configurePaymentGateway.id };
}

async function createPayments(url, shop) {
  const query = 'mutation($input: InitiatePaymentInput!) { initiateTopUpPayment(input: $input) { transactionId } }';
  // An idempotency key per payment makes a retry after a failed call safe (same key, same input:
  // the first result). Retries are counted and reported, not hidden.
  const failures = [];
  const started = process.hrtime.bigint();
  const ids = await pool(Array.from({ length: opts.payments }), opts.seedConcurrency, async (_, i) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const data = await gql(url, shop.token, query, {
          input: { clientId: CLIENT_ID, clubId: CLUB_ID, amount: AMOUNT, description: 'bench top-up', idempotencyKey: `bench-${i}` },
        });
        return data.initiateTopUpPayment.transactionId;
      } catch (err) {
        failures.push(err.message);
        if (attempt >= 3) throw err;
      }
    }
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures.length) say(`${failures.length} initiateTopUpPayment calls failed and were retried; first: ${failures[0]}`);
  return { ids, seconds, retries: failures.length, firstFailure: failures[0] ?? null };
}

/** Copies of one payment (as initiateTopUpPayment made it) for the reference Pay route. */
async function seedReferencePayments(pg, templateId, n) {
  const { rows } = await pg.query(`
    INSERT INTO "Payment" (id, "organizationId", "clientId", "clubId", "gatewayId", "gatewayType", status, amount, currency, description, "expiresAt", "updatedAt")
    SELECT 'pay_benchref' || lpad(g::text, 8, '0'), p."organizationId", $3, p."clubId", p."gatewayId", p."gatewayType", 'PENDING', p.amount, p.currency, p.description, p."expiresAt", now()
      FROM "Payment" p, generate_series(1, $2::int) g
     WHERE p.id = $1
    RETURNING id`, [templateId, n, REFERENCE_CLIENT_ID]);
  return rows.map((r) => r.id).sort();
}

// ---------------------------------------------------------------- 1. Pay callbacks

/** Pay notifications exactly as CloudPayments (and our sandbox) sends them, signed with Content-HMAC. */
function payNotifications(ids, { firstTransactionId, accountId }) {
  const { encodeForm } = require(path.join(ROOT, 'dist/gateways/cloudpayments/wire.js'));
  const { hmacBase64 } = require(path.join(ROOT, 'dist/gateways/cloudpayments/signature.js'));
  const dateTime = new Date().toISOString().replace('T', ' ').slice(0, 19);
  return ids.map((id, i) => {
    const body = encodeForm({
      TransactionId: firstTransactionId + i,
      Amount: AMOUNT.toFixed(2),
      Currency: 'RUB',
      PaymentAmount: AMOUNT.toFixed(2),
      PaymentCurrency: 'RUB',
      InvoiceId: id,
      AccountId: accountId,
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

// ---------------------------------------------------------------- 2. callback -> credited

async function creditLatency(pg, shop) {
  const started = Date.now();
  const countSql = `SELECT count(*)::int AS n FROM "LedgerEntry" WHERE kind = 'TOP_UP' AND "organizationId" = $1`;
  let credited = 0;
  try {
    await waitFor(`${opts.payments} TOP_UP ledger entries`, async () => {
      credited = (await pg.query(countSql, [shop.organizationId])).rows[0].n;
      return credited >= opts.payments;
    }, { timeoutMs: opts.creditTimeoutSeconds * 1000, everyMs: 250 });
  } catch (err) {
    say(`${err.message}; reporting what was credited`);
  }
  const waitedSeconds = (Date.now() - started) / 1000;
  const { rows: [lat] } = await pg.query(`
    SELECT count(*)::int AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
           max(ms) AS max
      FROM (SELECT extract(epoch FROM (l."at" - c."receivedAt")) * 1000 AS ms
              FROM "GatewayCallback" c
              JOIN "LedgerEntry" l ON l."paymentId" = c."paymentId" AND l.kind = 'TOP_UP'
             WHERE c.kind = 'pay' AND c."gatewayId" = $1) t`, [shop.gatewayId]);
  const { rows: [bal] } = await pg.query(`
    SELECT c."testBalance"::numeric(20,2)::text AS balance,
           coalesce(s.total, 0)::numeric(20,2)::text AS "ledgerSum",
           c."testBalance" = $3::numeric AS "balanceIsExpected",
           c."testBalance" = coalesce(s.total, 0) AS "balanceIsLedgerSum",
           (SELECT count(*)::int FROM "Payment" p WHERE p."organizationId" = c."organizationId" AND p."clientId" = c.id AND p.status = 'CONFIRMED') AS confirmed
      FROM "Client" c
      LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM "LedgerEntry" l
                          WHERE l."organizationId" = c."organizationId" AND l."clientId" = c.id AND l.environment = 'TEST') s ON true
     WHERE c."organizationId" = $1 AND c.id = $2`, [shop.organizationId, CLIENT_ID, String(opts.payments * AMOUNT)]);
  const ok = credited === opts.payments && bal.balanceIsExpected && bal.balanceIsLedgerSum && bal.confirmed === opts.payments;
  return {
    credited,
    confirmed: bal.confirmed,
    waitedAfterCallbacksSeconds: round(waitedSeconds, 2),
    latencyMs: { n: lat.n, p50: round(lat.p50), p99: round(lat.p99), max: round(Number(lat.max)) },
    balance: {
      balance: bal.balance,
      expected: (opts.payments * AMOUNT).toFixed(2),
      ledgerSum: bal.ledgerSum,
      verdict: ok ? 'OK' : 'MISMATCH',
    },
    ok,
  };
}

// ---------------------------------------------------------------- 3. payment(id) query

async function loadTest(label, { url, method = 'GET', headers, body }) {
  // The first answer is the reference: every later answer must be byte-identical.
  const first = await fetch(url, { method, headers, body });
  const expectBody = await first.text();
  if (first.status !== 200 || expectBody.includes('"errors"')) throw new Error(`${label}: HTTP ${first.status} ${expectBody.slice(0, 300)}`);
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    connections: opts.queryConnections,
    duration: opts.querySeconds,
    expectBody,
  });
  return {
    reqPerSec: round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    ok: result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.mismatches === 0,
  };
}

async function benchQuery(url, shop, paymentId) {
  const graphql = await loadTest('GraphQL payment(id)', {
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` },
    body: JSON.stringify({ query: PAYMENT_QUERY, variables: { id: paymentId } }),
  });
  const bare = await loadTest('bare GET /payment/:id', { url: `${state.bare.url}/payment/${paymentId}` });
  return {
    seconds: opts.querySeconds,
    connections: opts.queryConnections,
    graphql,
    bare,
    ratioGraphqlToBare: bare.reqPerSec ? round(graphql.reqPerSec / bare.reqPerSec, 2) : null,
  };
}

// ---------------------------------------------------------------- report

function summary(r) {
  const cb = r.callbacks;
  const cr = r.credit;
  const q = r.paymentQuery;
  const ms = (v) => (v === null || v === undefined ? 'n/a' : `${v} ms`);
  const check = (ok) => (ok ? 'OK' : 'FAILED');
  return [
    '',
    `Paygate benchmark  ${r.startedAt}  rev ${r.revision ?? '?'}  node ${r.node}  ${r.cpus}`,
    `  payments          ${r.options.payments} × ${AMOUNT}.00 RUB, one client; created with initiateTopUpPayment in ${r.seeding.seconds} s (${r.seeding.perSec}/s, ${r.options.seedConcurrency} at a time${r.seeding.retries ? `, ${r.seeding.retries} retried` : ''})`,
    '',
    `  Pay callbacks     ${cb.requests} requests, ${cb.connections} connections`,
    `    throughput      ${cb.reqPerSec} req/s (autocannon average)   ${cb.reqPerSecWallClock} req/s (wall clock)`,
    `    latency         p50 ${ms(cb.latencyMs.p50)}   p99 ${ms(cb.latencyMs.p99)}   max ${ms(cb.latencyMs.max)}`,
    `    answers         ${cb.answeredCode0}/${cb.requests} HTTP 200 {"code":0}, non-2xx ${cb.non2xx}, errors ${cb.errors}, timeouts ${cb.timeouts}  ${check(cb.ok)}`,
    `    bare Fastify+pg ${cb.reference.reqPerSecWallClock} req/s (wall clock)   p50 ${ms(cb.reference.latencyMs.p50)}   p99 ${ms(cb.reference.latencyMs.p99)}   ${cb.reference.confirmed}/${cb.requests} confirmed  ${check(cb.reference.ok)}`,
    `    Paygate / bare  ${cb.ratioToReference}`,
    '',
    `  callback → credit ${cr.latencyMs.n} payments (GatewayCallback.receivedAt → LedgerEntry.at)`,
    `    latency         p50 ${ms(cr.latencyMs.p50)}   p99 ${ms(cr.latencyMs.p99)}   max ${ms(cr.latencyMs.max)}`,
    `    credited        ${cr.credited}/${r.options.payments} TOP_UP entries, ${cr.confirmed} CONFIRMED (last one in ${cr.waitedAfterCallbacksSeconds} s after the callback run ended)`,
    `    balance         ${cr.balance.balance} (expected ${cr.balance.expected}, Σ ledger ${cr.balance.ledgerSum})  ${cr.balance.verdict}`,
    '',
    `  payment(id)       ${q.seconds} s each, ${q.connections} connections, same payment`,
    `    GraphQL         ${q.graphql.reqPerSec} req/s   p50 ${ms(q.graphql.latencyMs.p50)}   p99 ${ms(q.graphql.latencyMs.p99)}   (${q.graphql.requests} requests, non-2xx ${q.graphql.non2xx}, errors ${q.graphql.errors}, mismatches ${q.graphql.mismatches})  ${check(q.graphql.ok)}`,
    `    bare Fastify+pg ${q.bare.reqPerSec} req/s   p50 ${ms(q.bare.latencyMs.p50)}   p99 ${ms(q.bare.latencyMs.p99)}   (${q.bare.requests} requests, non-2xx ${q.bare.non2xx}, errors ${q.bare.errors}, mismatches ${q.bare.mismatches})  ${check(q.bare.ok)}`,
    `    GraphQL / bare  ${q.ratioGraphqlToBare}`,
    '',
    `  service log       ${r.serviceLogWarnings} lines at warn or above in ${path.relative(ROOT, SERVICE_LOG)}`,
    `  results           ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest.json'))}`,
    '',
  ].join('\n');
}

async function main() {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const { url, env } = await startPaygate();
  const shop = await seed(url, env);

  say(`creating ${opts.payments} payments…`);
  const created = await createPayments(url, shop);

  state.pg = new Pool({ connectionString: DATABASE_URL, max: 2 });
  // DROP DATABASE … WITH (FORCE) at cleanup terminates connections pg may not have closed yet.
  state.pg.on('error', () => undefined);
  const referenceIds = await seedReferencePayments(state.pg, created.ids[0], opts.payments);
  state.bare = await startBareServer({ databaseUrl: DATABASE_URL, organizationId: shop.organizationId, gatewayId: shop.gatewayId, apiSecret: API_SECRET, port: await freePort() });

  say(`firing ${opts.payments} Pay callbacks at the bare reference route, then at Paygate…`);
  const reference = await benchCallbacks(`${state.bare.url}/pay`, payNotifications(referenceIds, { firstTransactionId: 4_000_000_000, accountId: REFERENCE_CLIENT_ID }));
  // The reference must have done the work it stands for: every payment confirmed.
  const { rows: [ref] } = await state.pg.query(`SELECT count(*)::int AS n FROM "Payment" WHERE "clientId" = $1 AND status = 'CONFIRMED'`, [REFERENCE_CLIENT_ID]);
  reference.confirmed = ref.n;
  reference.ok = reference.ok && ref.n === opts.payments;
  const paygate = await benchCallbacks(`${url}/payments/cloudpayments/${shop.gatewayId}/pay`, payNotifications(created.ids, { firstTransactionId: 3_000_000_000, accountId: CLIENT_ID }));
  const callbacks = {
    ...paygate,
    reference,
    ratioToReference: reference.reqPerSecWallClock ? round(paygate.reqPerSecWallClock / reference.reqPerSecWallClock, 2) : null,
  };

  say('waiting for the credits…');
  const credit = await creditLatency(state.pg, shop);

  say(`payment(id): GraphQL then bare, ${opts.querySeconds} s each…`);
  const paymentQuery = await benchQuery(url, shop, created.ids[0]);
  await state.bare.close();
  state.bare = null;

  const report = {
    startedAt,
    revision: gitRevision(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
    options: opts,
    seeding: { seconds: round(created.seconds, 2), perSec: round(opts.payments / created.seconds), retries: created.retries, firstFailure: created.firstFailure },
    callbacks,
    credit,
    paymentQuery,
    serviceLogWarnings: countWarnings(SERVICE_LOG),
    ok: callbacks.ok && callbacks.reference.ok && credit.ok && paymentQuery.graphql.ok && paymentQuery.bare.ok,
  };
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(summary(report));
  if (!report.ok) process.exitCode = 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: cleaning up…`);
    cleanup().finally(() => process.exit(130));
  });
}

main()
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

#!/usr/bin/env node
// `npm run bench:soak`: the service under mixed traffic for BENCH_SOAK_SECONDS (600), as
// `npm run bench` starts it: Pay callbacks (4 at a time, new payments over 100 clients), payment(id)
// queries (4 at a time) and partial refunds (one at a time). Samples the service's RSS every 10 s
// and prints it after a BENCH_SOAK_WARMUP_SECONDS (60) warm-up and at the end, with their ratio.
// Correctness is checked as in the bench: every callback answered {"code":0}, every refund
// accepted, every balance Σ its ledger. Reported, never asserted, except those checks.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { Pool } = require('pg');
const { envInt, gql, round } = require('../bench/lib');
const bench = require('./bench');

const SOAK_SECONDS = envInt('BENCH_SOAK_SECONDS', 600);
const WARMUP_SECONDS = envInt('BENCH_SOAK_WARMUP_SECONDS', 60);
const { say } = bench;

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024, 1);
}

async function soak() {
  fs.mkdirSync(bench.RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const { url, env } = await bench.startPaygate();
  const shop = await bench.seed(url, env);
  bench.state.pg = new Pool({ connectionString: bench.DATABASE_URL, max: 2 });
  bench.state.pg.on('error', () => undefined);
  const pg = bench.state.pg;
  const pid = bench.state.service.pid;
  const until = Date.now() + SOAK_SECONDS * 1000;
  const counts = { pays: 0, payFailures: 0, queries: 0, queryFailures: 0, refunds: 0, refundFailures: 0 };
  const credited = [];
  const transactionOf = new Map();
  let chunk = 0;
  let transactionId = 5_000_000_000;

  const payLoop = async () => {
    while (Date.now() < until) {
      const payments = await bench.clonePayments(pg, shop, `soak${chunk++}`, 400, (i) => bench.clientIdOf(i % 100));
      const notes = bench.payNotifications(payments, transactionId);
      notes.forEach((n, i) => transactionOf.set(n.id, { transactionId: transactionId + i, clientId: payments[i].clientId }));
      transactionId += notes.length;
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < notes.length && Date.now() < until) {
          const n = notes[next++];
          const res = await fetch(`${url}/payments/cloudpayments/${shop.gatewayId}/pay`, {
            method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-hmac': n.hmac }, body: n.body,
          }).catch(() => null);
          const body = res ? await res.json().catch(() => null) : null;
          if (body?.code === 0) {
            counts.pays++;
            credited.push(n.id);
          } else counts.payFailures++;
        }
      }));
    }
  };
  const queryLoop = async () => {
    while (Date.now() < until) {
      const id = credited[Math.floor(Math.random() * credited.length)];
      if (!id) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const data = await gql(url, shop.token, bench.PAYMENT_QUERY, { id });
        if (data.payment?.id === id) counts.queries++;
        else counts.queryFailures++;
      } catch {
        counts.queryFailures++;
      }
    }
  };
  // Refunds made in the gateway's dashboard, as CloudPayments reports them: a signed Refund
  // notification, booked like any refund (a REFUND ledger entry, the shortfall rules).
  const { encodeForm } = require(path.join(bench.ROOT, 'dist/gateways/cloudpayments/wire.js'));
  const { hmacBase64 } = require(path.join(bench.ROOT, 'dist/gateways/cloudpayments/signature.js'));
  const refundLoop = async () => {
    let k = 0;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      const id = credited[Math.floor((Math.random() * credited.length) / 2)];
      const { rows: [p] } = await pg.query(`SELECT id FROM "Payment" p WHERE p.id = $1 AND p.status = 'CONFIRMED'
        AND EXISTS (SELECT 1 FROM "LedgerEntry" l WHERE l."paymentId" = p.id AND l.kind = 'TOP_UP')`, [id ?? '']);
      if (!p) continue;
      const { transactionId: paid, clientId } = transactionOf.get(p.id);
      const body = encodeForm({
        TransactionId: 9_000_000_000 + k++, PaymentTransactionId: paid, Amount: '10.00', DateTime: new Date().toISOString().replace('T', ' ').slice(0, 19),
        InvoiceId: p.id, AccountId: clientId, OperationType: 'Refund',
      });
      const res = await fetch(`${url}/payments/cloudpayments/${shop.gatewayId}/refund`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-hmac': hmacBase64(bench.API_SECRET, body) }, body,
      }).catch(() => null);
      const answer = res ? await res.json().catch(() => null) : null;
      if (answer?.code === 0) counts.refunds++;
      else if (++counts.refundFailures === 1) say(`first refund notification not taken: HTTP ${res?.status} ${JSON.stringify(answer)}`);
    }
  };

  const samples = [];
  const sampler = setInterval(() => samples.push({ s: round((Date.now() - (until - SOAK_SECONDS * 1000)) / 1000), rssMb: rssMb(pid) }), 10_000);
  say(`soaking for ${SOAK_SECONDS} s (RSS after ${WARMUP_SECONDS} s is the baseline)…`);
  await Promise.all([payLoop(), ...Array.from({ length: 4 }, queryLoop), refundLoop()]);
  clearInterval(sampler);
  samples.push({ s: SOAK_SECONDS, rssMb: rssMb(pid) });

  const warm = samples.find((x) => x.s >= WARMUP_SECONDS) ?? samples[0];
  const end = samples.at(-1);
  const { rows: wrong } = await pg.query(`
    SELECT c.id FROM "Client" c
     WHERE c."organizationId" = $1
       AND c."testBalance" <> coalesce((SELECT sum(amount) FROM "LedgerEntry" e WHERE e."organizationId" = c."organizationId" AND e."clientId" = c.id AND e.environment = 'TEST'), 0)`, [shop.organizationId]);
  const report = {
    startedAt, revision: bench.gitRevision(), seconds: SOAK_SECONDS, counts,
    rss: { afterWarmupMb: warm.rssMb, atEndMb: end.rssMb, ratio: round(end.rssMb / warm.rssMb, 3), samples },
    balancesWrong: wrong.length,
  };
  report.ok = counts.payFailures === 0 && counts.queryFailures === 0 && counts.refundFailures === 0 && wrong.length === 0;
  fs.writeFileSync(path.join(bench.RESULTS_DIR, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write([
    '',
    `Paygate soak  ${startedAt}  rev ${report.revision ?? '?'}  ${SOAK_SECONDS} s of mixed traffic`,
    `  traffic   ${counts.pays} Pays, ${counts.queries} payment(id), ${counts.refunds} refunds; failures: ${counts.payFailures} / ${counts.queryFailures} / ${counts.refundFailures}`,
    `  RSS       ${warm.rssMb} MB after ${warm.s} s, ${end.rssMb} MB at the end: ${report.rss.ratio} (target ≤ 1.10)`,
    `  balances  ${wrong.length ? `${wrong.length} not Σ their ledger  FAILED` : 'every one Σ its ledger  OK'}`,
    '',
  ].join('\n'));
  if (!report.ok) process.exitCode = 1;
}

bench.run(soak);

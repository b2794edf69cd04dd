// The baselines: bare Fastify routes on raw pg doing the least the real service must do.
//   GET  /payment/:id  the payment(id) lookup;
//   POST /pay          a CloudPayments Pay: check the Content-HMAC over the raw body, then in one
//                      transaction lock the payment of this gateway, confirm it, write its history
//                      row, its credit's outbox row (already DONE: the reference books no credit)
//                      and the callback row.
// It runs in a worker thread of the bench process, so it gets its own event loop, as the real
// service does in its child process, while autocannon drives both from the main thread.
'use strict';

const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

const { createHash, createHmac, timingSafeEqual } = require('node:crypto');

const SQL = 'SELECT id, status, amount::text, "clientId", "createdAt", "confirmedAt", "gatewayTransactionId" ' +
  'FROM "Payment" WHERE id = $1 AND "organizationId" = $2';

/** Starts the server; resolves with { url, close() } once it listens. */
function startBareServer({ databaseUrl, organizationId, gatewayId, apiSecret, port }) {
  const worker = new Worker(__filename, { workerData: { databaseUrl, organizationId, gatewayId, apiSecret, port } });
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    worker.once('error', onError);
    worker.once('message', (msg) => {
      worker.off('error', onError);
      if (msg.error) return reject(new Error(`bare server: ${msg.error}`));
      resolve({
        url: msg.url,
        close: () => new Promise((done) => {
          worker.once('exit', () => done());
          worker.postMessage('close');
        }),
      });
    });
  });
}

async function serve() {
  const Fastify = require('fastify');
  const { Pool } = require('pg');
  const { databaseUrl, organizationId, gatewayId, apiSecret, port } = workerData;
  const pg = new Pool({ connectionString: databaseUrl, max: 10 });
  pg.on('error', () => undefined); // an idle connection dropped under us; the pool replaces it
  const app = Fastify({ logger: false });
  app.get('/payment/:id', async (request, reply) => {
    const { rows } = await pg.query(SQL, [request.params.id, organizationId]);
    if (!rows[0]) return reply.status(404).send({ data: { payment: null } });
    return { data: { payment: rows[0] } };
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/pay', async (request, reply) => {
    const raw = request.body;
    const given = Buffer.from(String(request.headers['content-hmac'] ?? ''), 'base64');
    const expected = createHmac('sha256', apiSecret).update(raw).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.status(401).send({ code: 13 });
    const f = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const db = await pg.connect();
    try {
      await db.query('BEGIN');
      const { rows: [p] } = await db.query(
        'SELECT id, status, amount = $3::numeric AS "sameAmount" FROM "Payment" WHERE id = $1 AND "gatewayId" = $2 FOR UPDATE',
        [f.InvoiceId, gatewayId, f.Amount],
      );
      if (p && p.status === 'PENDING' && p.sameAmount) {
        await db.query('UPDATE "Payment" SET status = \'CONFIRMED\', "gatewayTransactionId" = $2, "confirmedAt" = now(), "updatedAt" = now() WHERE id = $1', [p.id, f.TransactionId]);
        await db.query('INSERT INTO "PaymentEvent" ("paymentId", "fromStatus", "toStatus", actor, reason, data, code) VALUES ($1, \'PENDING\', \'CONFIRMED\', $2, \'paid\', $3, \'PAID\')',
          [p.id, `gateway:${gatewayId}`, JSON.stringify({ transactionId: f.TransactionId })]);
        await db.query('INSERT INTO "Outbox" (key, "organizationId", kind, payload, status) VALUES ($1, $2, \'payment.credit\', $3, \'DONE\') ON CONFLICT DO NOTHING',
          [`credit-${p.id}`, organizationId, JSON.stringify({ paymentId: p.id })]);
      }
      await db.query(
        'INSERT INTO "GatewayCallback" (id, "gatewayId", "gatewayType", kind, headers, verdict, "paymentId", "gatewayTransactionId", result, body, "bodySha256") ' +
        'VALUES ($1, $2, \'SANDBOX\', \'bare-pay\', $3, \'VALID\', $4, $5, $6, $7, $8)',
        [`cb_bare_${f.TransactionId}`, gatewayId, JSON.stringify({ 'content-type': request.headers['content-type'] }), p ? p.id : null, f.TransactionId,
          JSON.stringify({ outcome: { result: 'ok' } }), JSON.stringify({ TransactionId: f.TransactionId, InvoiceId: f.InvoiceId, Amount: f.Amount }),
          createHash('sha256').update(raw).digest('hex')],
      );
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
    return { code: 0 };
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (err) {
    await pg.end();
    parentPort.postMessage({ error: err.message });
    return;
  }
  parentPort.on('message', async (msg) => {
    if (msg !== 'close') return;
    await app.close();
    await pg.end();
    parentPort.close();
  });
  parentPort.postMessage({ url: `http://127.0.0.1:${port}` });
}

if (!isMainThread && workerData && workerData.databaseUrl) {
  serve().catch((err) => parentPort.postMessage({ error: err.stack || String(err) }));
}

module.exports = { startBareServer, SQL };

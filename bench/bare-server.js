// The baseline for the payment(id) query: a bare Fastify route doing the same lookup with raw pg.
// It runs in a worker thread of the bench process, so it gets its own event loop, as the real
// service does in its child process, while autocannon drives both from the main thread.
'use strict';

const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

const SQL = 'SELECT id, status, amount::text, "clientId", "createdAt", "confirmedAt", "gatewayTransactionId" ' +
  'FROM "Payment" WHERE id = $1 AND "organizationId" = $2';

/** Starts the server; resolves with { url, close() } once it listens. */
function startBareServer({ databaseUrl, organizationId, port }) {
  const worker = new Worker(__filename, { workerData: { databaseUrl, organizationId, port } });
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
  const { databaseUrl, organizationId, port } = workerData;
  const pg = new Pool({ connectionString: databaseUrl, max: 10 });
  pg.on('error', () => undefined); // an idle connection dropped under us; the pool replaces it
  const app = Fastify({ logger: false });
  app.get('/payment/:id', async (request, reply) => {
    const { rows } = await pg.query(SQL, [request.params.id, organizationId]);
    if (!rows[0]) return reply.status(404).send({ data: { payment: null } });
    return { data: { payment: rows[0] } };
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

// R2's yardstick: the least a payment(id) lookup can cost on this machine, a bare node:http
// server doing one prepared-statement lookup by id through pg, answering the same JSON shape.
// It runs in a worker thread of the bench process, so it gets its own event loop, as the real
// service does in its child process, while autocannon drives both from the main thread.
'use strict';

const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

const LOOKUP = {
  name: 'bare_payment_by_id',
  text: 'SELECT id, status, amount::text, "clientId", "createdAt", "confirmedAt", "gatewayTransactionId" FROM "Payment" WHERE id = $1 AND "organizationId" = $2',
};

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
  const http = require('node:http');
  const { Pool } = require('pg');
  const { databaseUrl, organizationId, port } = workerData;
  const pg = new Pool({ connectionString: databaseUrl, max: 10 });
  pg.on('error', () => undefined); // an idle connection dropped under us; the pool replaces it
  const server = http.createServer((req, res) => {
    const id = req.url.startsWith('/payment/') ? decodeURIComponent(req.url.slice('/payment/'.length)) : null;
    if (!id) {
      res.writeHead(404).end();
      return;
    }
    pg.query({ ...LOOKUP, values: [id, organizationId] }).then(({ rows: [payment] }) => {
      const body = JSON.stringify({ data: { payment: payment ?? null } });
      res.writeHead(payment ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }, () => res.writeHead(500).end());
  });
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (err) {
    await pg.end();
    parentPort.postMessage({ error: err.message });
    return;
  }
  parentPort.on('message', async (msg) => {
    if (msg !== 'close') return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pg.end();
    parentPort.close();
  });
  parentPort.postMessage({ url: `http://127.0.0.1:${port}` });
}

if (!isMainThread && workerData && workerData.databaseUrl) {
  serve().catch((err) => parentPort.postMessage({ error: err.stack || String(err) }));
}

module.exports = { startBareServer };

#!/usr/bin/env node
// `npm run demo`: build, migrate, seed the demo organization, then run api + worker in the foreground.
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const path = require('node:path');
const { migrate } = require('./db');

const ROOT = path.resolve(__dirname, '..');
const PORT = process.env.PORT || '4000';
const PUBLIC_URL = (process.env.PUBLIC_URL || `http://localhost:${PORT}`).replace(/\/+$/, '');

async function main() {
  process.stderr.write('building…\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  await migrate();
  const seeded = JSON.parse(
    execFileSync(process.execPath, ['dist/cli/index.js', 'demo', 'seed', '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } }),
  );
  // On this machine only; quiet, so that the banner below is the last thing printed; partner
  // webhooks may target this machine's own receivers.
  const env = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...process.env, PORT, PUBLIC_URL };
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env });
  // The service logs JSON lines (for machines); here a person reads them.
  child.stdout.pipe(require('pino-pretty')({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
  await waitReady();

  const checkout = await graphql(seeded.token, `mutation($input: InitiatePaymentInput!) {
    initiateTopUpPayment(input: $input) { paymentUrl transactionId expiresAt } }`, {
    // No returnUrl: after paying, the sandbox shows its own result page.
    input: { clientId: seeded.clientId, clubId: seeded.clubId, amount: '500.00', description: 'Demo balance top-up' },
  });
  const topUp = checkout.initiateTopUpPayment;
  process.stdout.write(`
Paygate demo is running on ${PUBLIC_URL} (Ctrl-C stops it)
  organization  ${seeded.organizationId}
  API key       ${seeded.token}   (TEST OWNER; a new one each run, the previous one revoked)
  gateway       ${seeded.gatewayId} (SANDBOX: CloudPayments test mode, TEST environment, no real money)
  club/client   ${seeded.clubId} / ${seeded.clientId}

Pay 500.00 RUB in the sandbox checkout (card 4111 1111 1111 1111, any future expiry, any CVC;
4242 4242 4242 4242 asks for 3-D Secure; 4444 4444 4444 4441 is declined):
  ${topUp.paymentUrl}

Then see the payment and the balance:
curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":"{ payment(id: \\"${topUp.transactionId}\\") { status amount history { toStatus reason } } client(id: \\"${seeded.clientId}\\") { balance ledger { edges { node { kind amount balanceAfter } } } } }"}'

Partner webhooks: this demo lets them reach this machine (WEBHOOK_ALLOW_PRIVATE_URLS=true), e.g.
curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":"mutation { createWebhook(input: { url: \\"http://127.0.0.1:9000/hook\\", events: [\\"PAYMENT_RECEIVED\\"] }) { id secret } }"}'

Explore the API in a browser: ${PUBLIC_URL}/graphql (paste the key into the explorer's key field).

`);
}

async function waitReady() {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not become ready in 30 s');
}

async function graphql(token, query, variables) {
  const res = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

main().catch((err) => {
  process.stderr.write(`${err.userFacing ? err.message : err.stack}\n`);
  process.exit(1);
});

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
  // SANDBOX_TIME_SCALE 1440: a subscription charging every DAY charges every minute here.
  const env = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', SANDBOX_TIME_SCALE: '1440', ...process.env, PORT, PUBLIC_URL };
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env });
  // The service logs JSON lines (for machines); here a person reads them.
  child.stdout.pipe(require('pino-pretty')({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
  await waitReady();

  const checkout = await graphql(seeded.token, `mutation($input: InitiatePaymentInput!) {
    initiateTopUpPayment(input: $input) { paymentUrl transactionId expiresAt } }`, {
    // No returnUrl: after paying, the sandbox shows its own result page.
    // saveCard: the payer agrees to have the card saved, so the demo can charge it again.
    input: { clientId: seeded.clientId, clubId: seeded.clubId, amount: '500.00', description: 'Demo balance top-up', saveCard: true },
  });
  const topUp = checkout.initiateTopUpPayment;
  process.stdout.write(`
Paygate demo is running on ${PUBLIC_URL} (Ctrl-C stops it)
  organization  ${seeded.organizationId}
  API key       ${seeded.token}   (TEST OWNER; a new one each run, the previous one revoked)
  gateway       ${seeded.gatewayId} (SANDBOX: CloudPayments test mode, TEST environment, no real money)
  club/client   ${seeded.clubId} / ${seeded.clientId}

Pay 500.00 RUB in the sandbox checkout with card 4000 0000 0000 3055 (any future expiry, any
CVC): it pays and is saved, and its later charges are approved; once paid, this demo prints how to
charge it again and how to start a subscription. Other test cards: 4111 1111 1111 1111 pays but,
as in CloudPayments' test mode, its saved token's charges decline; 4242 4242 4242 4242 asks for
3-D Secure; 4444 4444 4444 4441 is declined.
  ${topUp.paymentUrl}

Then see the payment and the balance:
curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":"{ payment(id: \\"${topUp.transactionId}\\") { status amount history { toStatus reason } } client(id: \\"${seeded.clientId}\\") { balance ledger { edges { node { kind amount balanceAfter } } } } }"}'

Partner webhooks: this demo lets them reach this machine (WEBHOOK_ALLOW_PRIVATE_URLS=true), e.g.
curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":"mutation { createWebhook(input: { url: \\"http://127.0.0.1:9000/hook\\", events: [\\"PAYMENT_RECEIVED\\"] }) { id secret } }"}'

Explore the API in a browser: ${PUBLIC_URL}/graphql (paste the key into the explorer's key field).

`);
  await showSavedCard(seeded, topUp.transactionId);
}

/** Once the demo top-up is paid: its receipt, the saved card, and what to do with it. */
async function showSavedCard(seeded, paymentId) {
  let card;
  for (let i = 0; i < 1800 && !card; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const data = await graphql(seeded.token, `query($id: ID!, $client: ID!) { payment(id: $id) { status }
      savedPaymentMethods(clientId: $client) { id cardMask } }`, { id: paymentId, client: seeded.clientId }).catch(() => null);
    if (data && data.payment && data.payment.status !== 'PENDING') card = data.savedPaymentMethods.at(-1) ?? null;
    if (data && data.payment && data.payment.status !== 'PENDING' && !card) return;
  }
  if (!card) return;
  const call = (query) => `curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":${JSON.stringify(query).replace(/'/g, "'\\''")}}'`;
  process.stdout.write(`
The top-up is paid and card ${card.cardMask} is saved as ${card.id}.

Its 54-FZ receipt (the sandbox's cash register prints it a moment after the credit):
${call(`{ payment(id: "${paymentId}") { status receipts { type status amount fiscalNumber fiscalSign url } } }`)}

Charge the saved card again in one click (200.00 RUB):
${call(`mutation { chargeSavedCard(input: { clientId: "${seeded.clientId}", paymentMethodId: "${card.id}", amount: "200.00" }) { id status amount } }`)}

Start a subscription: 100.00 RUB every day, which this demo's sandbox clock runs as every minute
(SANDBOX_TIME_SCALE=1440); watch its charges arrive, then cancel it with cancelSubscription(id):
${call(`mutation { createSubscription(input: { clientId: "${seeded.clientId}", paymentMethodId: "${card.id}", amount: "100.00", interval: DAY, period: 1, description: "Demo membership" }) { id status nextChargeAt } }`)}
${call(`{ subscriptions(clientId: "${seeded.clientId}") { edges { node { id status successfulCharges nextChargeAt payments { edges { node { id amount status } } } } } } client(id: "${seeded.clientId}") { balance } }`)}

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

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
  const curl = `curl -s ${PUBLIC_URL}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${seeded.token}' \\
  -d '{"query":"{ client(id: \\"${seeded.clientId}\\") { id balance currency } paymentGateways { id type callbackUrls } }"}'`;
  process.stdout.write(`
Paygate demo
  organization  ${seeded.organizationId}
  API token     ${seeded.token}   (OWNER; shown once, a new one each run)
  gateway       ${seeded.gatewayId} (SANDBOX)
  club/client   ${seeded.clubId} / ${seeded.clientId}

Try it:
${curl}

Starting the service on ${PUBLIC_URL} (Ctrl-C stops it)…
`);
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PORT, PUBLIC_URL } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err) => {
  process.stderr.write(`${err.userFacing ? err.message : err.stack}\n`);
  process.exit(1);
});

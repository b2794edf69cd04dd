// Small helpers for scripts/bench.js: ports, the service child process, GraphQL calls, a pool.
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const { spawn } = require('node:child_process');

/** An integer from the environment, or the default. */
function envInt(name, fallback, { min = 1 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw Object.assign(new Error(`${name} must be an integer >= ${min} (got "${raw}")`), { userFacing: true });
  return n;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws after timeoutMs, or at once on an error marked `fatal`. */
async function waitFor(what, fn, { timeoutMs = 30_000, everyMs = 200 } = {}) {
  const until = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (err && err.fatal) throw err;
      last = err;
    }
    if (Date.now() > until) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

/**
 * Starts `node dist/main.js` with the given env; its output goes to logFile. Returns a handle whose
 * stop() sends SIGTERM, waits for the exit (SIGKILL after graceMs) and resolves with the exit code.
 */
function startService({ root, env, logFile }) {
  const out = fs.openSync(logFile, 'w');
  // BENCH_PROFILE=1: a V8 CPU profile of the service, written to bench/results/ when it stops.
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${root}/bench/results`] : [];
  const child = spawn(process.execPath, [...profile, 'dist/main.js'], { cwd: root, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  // Safety net: never leave the service running if this process dies before stop().
  const killOnExit = () => { if (!exited) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      process.off('exit', killOnExit);
      resolve(exited);
    });
  });
  return {
    pid: child.pid,
    exited: () => exited,
    exit,
    async stop(graceMs = 30_000) {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, graceMs);
      const res = await exit;
      clearTimeout(timer);
      return res;
    },
  };
}

/** How many pino lines at warn (40) or above the file holds. */
function countWarnings(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => /^\{"level":([4-6]\d)/.test(l)).length;
  } catch {
    return null;
  }
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** One GraphQL call; throws on HTTP or GraphQL errors. */
async function gql(url, token, query, variables) {
  let res;
  try {
    res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    // undici's "fetch failed" hides the reason in err.cause
    throw new Error(`GraphQL call failed: ${err.message}${err.cause ? ` (${err.cause.code ?? ''} ${err.cause.message})` : ''}`);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok || !body || body.errors) {
    throw new Error(`GraphQL call failed (HTTP ${res.status}): ${JSON.stringify(body?.errors ?? body).slice(0, 500)}`);
  }
  return body.data;
}

/** Runs fn over items with at most `concurrency` in flight; results keep the input order. */
async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(runners);
  return results;
}

const round = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? null : Number(n.toFixed(digits)));

module.exports = { envInt, freePort, sleep, waitFor, startService, countWarnings, tail, gql, pool, round };

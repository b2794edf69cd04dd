// The built service as `npm start` runs it: starts, serves, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../helpers/app';
import { createTestDatabase } from '../helpers/database';
import { REDIS_URL } from '../helpers/env';

const ROOT = path.resolve(__dirname, '../..');

it('starts, answers /readyz, and drains and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: await createTestDatabase('process'), REDIS_URL, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_PREFIX: `pgtest_process_${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  let ready = false;
  for (let i = 0; i < 100 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
  }
  expect(ready).toBe(true);
  expect(output).toContain('DEVELOPMENT key');

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('shutting down');
  expect(output).toContain('"msg":"stopped"');
});

it('npm start hands SIGTERM to the service: it stops, nothing is left serving', async () => {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: await createTestDatabase('process_npm'), REDIS_URL, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_PREFIX: `pgtest_processnpm_${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let ready = false;
  for (let i = 0; i < 150 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
  }
  expect(ready).toBe(true);
  child.kill('SIGTERM'); // to npm, as a process manager would
  await exited;
  let serving = true;
  for (let i = 0; i < 50 && serving; i++) {
    await new Promise((r) => setTimeout(r, 100));
    serving = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
  }
  expect(serving).toBe(false);
  expect(output).toContain('shutting down');
});

it('a SIGTERM during start-up waits for start-up, then stops cleanly', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: await createTestDatabase('process_early'), REDIS_URL, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_PREFIX: `pgtest_process_early_${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // as soon as the process has configured itself, before it listens
  for (let i = 0; i < 200 && !output.includes('DEVELOPMENT key'); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"stopped"');
});

it('refuses to start on bad configuration, naming the variable', async () => {
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(78);
  expect(stderr).toContain('PORT must be a number (got "eighty")');
});

// A worker of its own (node dist/main.js, PAYGATE_ROLE=worker) on a test app's database, Redis and
// queues, so that a test can SIGKILL it in the middle of its work.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestApp } from './app';

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<unknown>;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
}

export function spawnWorkerProcess(t: TestApp, env: Record<string, string> = {}): WorkerProcess {
  const config = t.deps.config;
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env, PAYGATE_ROLE: 'worker', DATABASE_URL: config.databaseUrl.reveal(), REDIS_URL: config.redisUrl.reveal(), QUEUE_PREFIX: config.queuePrefix,
      PAYGATE_ENCRYPTION_KEY: config.encryption.key.reveal().toString('base64'), PUBLIC_URL: t.url, WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WORKER_LOCK_DURATION: '1s', LOG_LEVEL: 'warn', ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

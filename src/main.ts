// Entry point: `npm start`. PAYGATE_ROLE=api|worker|all picks what this process runs.
import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { closeDeps, createDeps } from './context';
import { createLogger } from './log';
import { buildApp } from './server';
import { startWorkers } from './jobs/workers';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  const deps = createDeps(config, log);
  const closers: Array<() => Promise<void>> = [];

  // Signals are handled from the first moment; one that arrives during start-up waits for it,
  // so nothing is closed under a component that is still starting.
  let started: () => void;
  const startup = new Promise<void>((resolve) => (started = resolve));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests and jobs');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000).unref();
    try {
      await startup;
      // Order matters: stop taking requests, then jobs, then close the pools they use.
      for (const close of closers) await close();
      await closeDeps(deps);
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (config.encryption.usingDevelopmentKey) {
    log.warn('PAYGATE_ENCRYPTION_KEY is not set: secrets are encrypted with the fixed DEVELOPMENT key. Never use this in production.');
  }

  // Workers first: once /readyz answers, the whole process is up.
  if (config.role === 'all' || config.role === 'worker') {
    const workers = await startWorkers(deps);
    closers.unshift(() => workers.close());
    log.info('workers started');
  }
  if (config.role === 'all' || config.role === 'api') {
    const app = await buildApp(deps);
    await app.listen({ host: config.host, port: config.port });
    closers.unshift(() => app.close());
  }
  started!();
}

main().catch((err) => {
  createLogger({ level: 'error' }).fatal({ err }, 'start-up failed');
  process.exit(1);
});

// The sandbox: CloudPayments test mode, emulated inside Paygate so that everything runs without a
// merchant account. It is an outside service as far as the rest of Paygate is concerned: the
// SANDBOX gateway adapter talks to it over HTTP (/sandbox/api) exactly as to CloudPayments.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../context';
import { sandboxEmulator } from './emulator';
import { sandboxMerchants } from './merchants';
import { scheduleSandboxRetry } from './retries';

export async function registerSandbox(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(sandboxEmulator, {
    redis: deps.redis,
    keyPrefix: deps.config.queuePrefix,
    publicUrl: deps.config.publicUrl,
    log: deps.log,
    ...sandboxMerchants(deps),
    scheduleRetry: (n) => scheduleSandboxRetry(deps, n),
    timeScale: deps.config.sandboxTimeScale,
  });
}

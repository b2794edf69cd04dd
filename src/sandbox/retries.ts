// Retries of the sandbox's notifications, on CloudPayments' schedule.
import type { Job } from 'bullmq';
import type { Deps } from '../context';
import { deliver, MAX_ATTEMPTS, retryDelay, type SandboxNotification } from './notifier';
import { sandboxMerchants } from './merchants';

export async function scheduleSandboxRetry(deps: Deps, n: SandboxNotification): Promise<void> {
  await deps.queues.sandbox.add('notify', n, {
    delay: retryDelay(1),
    attempts: MAX_ATTEMPTS,
    backoff: { type: 'cloudpayments' },
    removeOnFail: { age: 7 * 86_400 },
  });
}

export async function processSandboxJob(deps: Deps, job: Job<SandboxNotification>): Promise<void> {
  const merchant = await sandboxMerchants(deps).merchantByGatewayId(job.data.gatewayId);
  if (!merchant) return; // the gateway is gone: nobody to notify
  const code = await deliver(deps.config.publicUrl, merchant.apiSecret, job.data, deps.log.child({ component: 'sandbox' }));
  if (code !== 0) throw new Error(`notification answered ${code ?? 'nothing'}; retrying`);
}

export const sandboxBackoff = (attemptsMade: number) => retryDelay(attemptsMade + 1);

// Retries of the sandbox's notifications, on CloudPayments' schedule.
import { z } from 'zod';
import type { Deps } from '../context';
import { defineJob } from '../jobs/definition';
import { NOTIFICATION_KINDS } from '../gateways/cloudpayments/notifications';
import { deliver, MAX_ATTEMPTS, retryDelay, type SandboxNotification } from './notifier';
import { sandboxMerchants } from './merchants';

export async function scheduleSandboxRetry(deps: Deps, n: SandboxNotification): Promise<void> {
  await deps.queues.sandbox.add(sandboxNotifyJob.name, n, {
    delay: retryDelay(1),
    attempts: MAX_ATTEMPTS,
    backoff: { type: 'custom' },
    removeOnFail: { age: 7 * 86_400 },
  });
}

export async function retrySandboxNotification(deps: Deps, n: SandboxNotification): Promise<void> {
  const merchant = await sandboxMerchants(deps).merchantByGatewayId(n.gatewayId);
  if (!merchant) return; // the gateway is gone: nobody to notify
  const code = await deliver(deps.config.publicUrl, merchant.apiSecret, n, deps.log.child({ component: 'sandbox' }));
  if (code !== 0) throw new Error(`notification answered ${code ?? 'nothing'}; retrying`);
}

export const sandboxNotifyJob = defineJob({
  name: 'notify',
  queue: 'sandbox',
  schema: z.object({ gatewayId: z.string().min(1), kind: z.enum(NOTIFICATION_KINDS), body: z.string() }),
  backoff: (attemptsMade) => retryDelay(attemptsMade + 1),
  handler: retrySandboxNotification,
});

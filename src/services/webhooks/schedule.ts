import type { Deps } from '../../context';

/** Job id per (delivery, attempt): a second schedule of the same attempt is a no-op. */
export async function scheduleAttempt(deps: Deps, deliveryId: string, attempt: number, delayMs: number): Promise<void> {
  try {
    await deps.queues.webhooks.add('deliver', { deliveryId, attempt }, { jobId: `deliver-${deliveryId}-${attempt}`, delay: delayMs, attempts: 1 });
  } catch (err) {
    // Redis away: the delivery row is PENDING with its nextAttemptAt; the relay schedules it.
    deps.log.warn({ err, deliveryId, attempt }, 'could not schedule a webhook attempt; the relay will');
  }
}

/** ±10 % so retries of many deliveries to one recovering partner do not arrive in one burst. */
export const withJitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

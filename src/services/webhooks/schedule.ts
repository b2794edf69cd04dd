import type { Deps } from '../../context';

/**
 * Queues the attempt due at `at`. The job id is derived from (delivery, attempt, due time), the
 * same values the delivery row keeps, so the relay re-creating a lost job produces the same id
 * and a job already queued is never queued twice.
 */
export async function scheduleAttempt(deps: Deps, deliveryId: string, attempt: number, at: Date): Promise<void> {
  try {
    await deps.queues.webhooks.add('deliver', { deliveryId, attempt }, {
      jobId: `deliver-${deliveryId}-${attempt}-${at.getTime()}`,
      delay: Math.max(0, at.getTime() - Date.now()),
      attempts: 1,
    });
  } catch (err) {
    // Redis away: the delivery row is PENDING with its nextAttemptAt; the relay schedules it.
    deps.log.warn({ err, deliveryId, attempt }, 'could not schedule a webhook attempt; the relay will');
  }
}

/** ±10 % so retries of many deliveries to one recovering partner do not arrive in one burst. */
export const withJitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

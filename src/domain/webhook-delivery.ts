// A delivery's life: what one attempt's answer means for it (delivered, tried again later, given
// up) and for its endpoint (disabled after 410 Gone or a long failure streak).
import type { WebhookDeliveryStatus as DeliveryStatus } from '../generated/prisma/enums';

/** A delivery whose next attempt is scheduled. */
export const AWAITING: DeliveryStatus = 'PENDING';

/** A delivery no attempt will follow unless it is replayed (also the log entry of a disabled endpoint). */
export const GIVEN_UP: DeliveryStatus = 'FAILED';

/** Not delivered yet (given up, or still waiting): what `replayWebhookDeliveries` sends again. */
export const UNDELIVERED: readonly DeliveryStatus[] = ['FAILED', 'PENDING'];

/** Only a delivery still waiting is attempted; a job for any other is stale. */
export const isAwaitingAttempt = (d: { status: DeliveryStatus; attempts: number }, attempt: number) => d.status === AWAITING && d.attempts < attempt;

export type AttemptVerdict =
  | { readonly kind: 'delivered'; readonly status: 'DELIVERED' }
  | { readonly kind: 'retry'; readonly status: 'PENDING'; readonly delayMs: number }
  | { readonly kind: 'given-up'; readonly status: 'FAILED' }
  | { readonly kind: 'disable-endpoint'; readonly status: 'FAILED'; readonly reason: string };

export interface AttemptFacts {
  /** The partner's HTTP status, or null when there was no answer (timeout, refused, refused by the guard). */
  readonly statusCode: number | null;
  /** Where this attempt is in its retry schedule (1 = the first try; a replay starts again at 1). */
  readonly position: number;
  readonly retryDelaysMs: readonly number[];
  /** Since when every delivery to the endpoint has failed (this attempt's time if this is the first). */
  readonly failingSince: Date;
  readonly now: Date;
  readonly disableAfterMs: number;
}

export function judgeAttempt(f: AttemptFacts): AttemptVerdict {
  if (f.statusCode !== null && f.statusCode >= 200 && f.statusCode < 300) return { kind: 'delivered', status: 'DELIVERED' };
  if (f.statusCode === 410) return { kind: 'disable-endpoint', status: 'FAILED', reason: 'the endpoint answered 410 Gone' };
  if (f.now.getTime() - f.failingSince.getTime() > f.disableAfterMs) {
    return { kind: 'disable-endpoint', status: 'FAILED', reason: `every delivery failed for longer than ${Math.round(f.disableAfterMs / 3_600_000)} h` };
  }
  // retryDelaysMs[i] is the wait before attempt i + 1 (the first is the wait before the first try).
  if (f.position >= f.retryDelaysMs.length) return { kind: 'given-up', status: 'FAILED' };
  return { kind: 'retry', status: 'PENDING', delayMs: f.retryDelaysMs[f.position] };
}

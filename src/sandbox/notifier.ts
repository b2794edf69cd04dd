// Sends CloudPayments-style notifications to Paygate's callback URLs: form-encoded, both HMAC
// headers, answer {"code":0} expected. Anything else is retried like CloudPayments does.
import type { Logger } from '../log';
import { notificationPath, type NotificationKind } from '../gateways/cloudpayments/notifications';
import { signNotification } from '../gateways/cloudpayments/signature';
import { encodeForm } from '../gateways/cloudpayments/wire';

/** CloudPayments: 100 attempts, "1, 2, 5, 10, 30" minutes apart (docs/gateways.md 1.3). */
export const RETRY_DELAYS_MS = [60_000, 120_000, 300_000, 600_000, 1_800_000];
export const MAX_ATTEMPTS = 100;

export interface SandboxNotification {
  gatewayId: string;
  kind: NotificationKind;
  body: string;
}

export function buildNotification(gatewayId: string, kind: NotificationKind, fields: Record<string, string | number | undefined>): SandboxNotification {
  return { gatewayId, kind, body: encodeForm(fields) };
}

/** Sends once; returns the answer's code (null when there was no valid answer). */
export async function deliver(publicUrl: string, secret: string, n: SandboxNotification, log: Logger): Promise<number | null> {
  try {
    const res = await fetch(`${publicUrl}${notificationPath(n.gatewayId, n.kind)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signNotification(secret, n.body, true) },
      body: n.body,
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await res.json().catch(() => null)) as { code?: unknown } | null;
    const code = res.ok && typeof answer?.code === 'number' ? answer.code : null;
    log.info({ kind: n.kind, status: res.status, code }, 'sandbox notification sent');
    return code;
  } catch (err) {
    log.warn({ err, kind: n.kind }, 'sandbox notification not delivered');
    return null;
  }
}

export function retryDelay(attemptsMade: number): number {
  return RETRY_DELAYS_MS[Math.min(attemptsMade - 1, RETRY_DELAYS_MS.length - 1)] ?? RETRY_DELAYS_MS[0];
}

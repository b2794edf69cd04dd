// Standard Webhooks signatures (https://www.standardwebhooks.com): webhook-id, webhook-timestamp,
// webhook-signature = space-separated "v1,<base64 HMAC-SHA256 of id.timestamp.body>", one per
// active secret (during a rotation the old secret signs too).
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function webhookHeaders(id: string, at: Date, body: string, secrets: readonly string[]): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}

// The SANDBOX gateway's "outside world": CloudPayments test mode emulated inside Paygate.
//   POST /sandbox/api/<method>          the CloudPayments API subset our adapter uses (api.ts)
//   GET  /sandbox/checkout/<orderId>    the hosted payment page (checkout.ts)
//   POST /sandbox/checkout/<orderId>    pay with a test card: Check, then Pay or Fail, then redirect
// Card numbers live only in the request that carries them: never stored, never logged.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { NotificationKind } from '../gateways/cloudpayments/notifications';
import { sandboxApi } from './api';
import { sandboxCheckout } from './checkout';
import { buildNotification, deliver, type SandboxNotification } from './notifier';
import { SandboxStore } from './store';
import { SandboxSubscriptions, startSubscriptionScheduler } from './subscriptions';

export interface SandboxMerchant {
  gatewayId: string;
  publicId: string;
  apiSecret: string;
}

export interface SandboxOptions {
  redis: Redis;
  /** Redis key prefix (not "prefix": Fastify would take that as a route prefix). */
  keyPrefix: string;
  publicUrl: string;
  log: Logger;
  /** The SANDBOX gateway whose credentials these are (several organizations may share a publicId). */
  findMerchant(publicId: string, apiSecret: string): Promise<SandboxMerchant | null>;
  merchantByGatewayId(gatewayId: string): Promise<SandboxMerchant | null>;
  /** Hands an undelivered notification to the retry queue. */
  scheduleRetry(notification: SandboxNotification): Promise<void>;
  /** SANDBOX_TIME_SCALE: how many times faster than real time subscriptions are charged. */
  timeScale: number;
}

/** What the API and the checkout share: the emulator's state and its way of notifying Paygate. */
export interface SandboxWorld {
  readonly store: SandboxStore;
  readonly log: Logger;
  readonly opts: SandboxOptions;
  /** Sends a notification as CloudPayments would; the answer's code, or null when none came. */
  notify(merchant: SandboxMerchant, kind: NotificationKind, fields: Record<string, string | number | undefined>): Promise<number | null>;
}

/** CloudPayments' notification DateTime: UTC, "yyyy-MM-dd HH:mm:ss". */
export const utcDateTime = (d = new Date()) => d.toISOString().replace('T', ' ').slice(0, 19);

const CLOSE_WAIT_MS = 5_000;

export async function sandboxEmulator(app: FastifyInstance, opts: SandboxOptions): Promise<void> {
  const log = opts.log.child({ component: 'sandbox' });
  // Notifications being sent to this very server: waited for before it stops taking requests.
  const inFlight = new Set<Promise<unknown>>();
  const world: SandboxWorld = {
    store: new SandboxStore(opts.redis, opts.keyPrefix),
    log,
    opts,
    notify(merchant, kind, fields) {
      const sending = (async () => {
        const n = buildNotification(merchant.gatewayId, kind, fields);
        const code = await deliver(opts.publicUrl, merchant.apiSecret, n, log);
        // Check is never retried: no answer declines the payment. The others are, until {"code":0}.
        if (code !== 0 && kind !== 'check') await opts.scheduleRetry(n);
        return code;
      })();
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
      return sending;
    },
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const subscriptions = new SandboxSubscriptions(opts.redis, opts.keyPrefix, opts.timeScale);
  sandboxApi(app, world, subscriptions);
  sandboxCheckout(app, world);
  const scheduler = startSubscriptionScheduler(world, subscriptions, opts.timeScale > 1 ? 100 : 1000);
  // Before the server stops taking requests: no new charge starts, and what is being sent arrives.
  app.addHook('preClose', async () => {
    await scheduler.stop();
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
  });
}

// A signed callback Paygate could not read: kept with its verdict and raised for a person, in one
// transaction. One item per gateway and hour, whatever the bodies (each junk body hashes apart, and
// one captured signature could otherwise raise an item and a webhook per body): the item names the
// first callback, and its evidence counts them all; the gateway's callbacks show each.
import type { Deps } from '../../context';
import type { Prisma } from '../../generated/prisma/client';
import type { CallbackRecord } from '../payments/gateway-word';
import { raiseAttention } from './raise';

const WINDOW_MS = 3_600_000;

export async function storeUnreadableCallback(
  deps: Deps,
  gateway: { id: string; organizationId: string },
  callback: CallbackRecord & { body: Prisma.InputJsonObject; error: string | null; result: Prisma.InputJsonObject },
): Promise<void> {
  const hour = new Date(Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS).toISOString();
  const outbox = await deps.db.$transaction(async (tx) => {
    await tx.gatewayCallback.create({ data: { ...callback, verdict: 'UNREADABLE' } });
    const problem = callback.error?.slice(0, 300) ?? null;
    return raiseAttention(tx, { organizationId: gateway.organizationId, environment: callback.environment, subject: `gw:${gateway.id}`, onRepeat: 'count' }, [{
      kind: 'UNREADABLE_CALLBACK', key: hour, evidence: {
        summary: `a signed ${callback.kind} callback could not be read: ${problem ?? 'unknown problem'}; nothing applied (more this hour are counted in count)`,
        gatewayId: gateway.id, callbackId: callback.id, kind: callback.kind, problem, bodySha256: callback.bodySha256, since: hour, count: 1,
      },
    }]);
  });
  deps.outboxSignal.notify(outbox.map((e) => e.kind));
}

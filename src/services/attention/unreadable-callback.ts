// A signed callback Paygate could not read: kept with its verdict and raised for a person, in one
// transaction. One item per gateway and body (its SHA-256): a gateway sending it again, or several
// copies racing, raise one item.
import type { Deps } from '../../context';
import type { Prisma } from '../../generated/prisma/client';
import type { CallbackRecord } from '../payments/gateway-word';
import { raiseAttention } from './raise';

export async function storeUnreadableCallback(
  deps: Deps,
  gateway: { id: string; organizationId: string },
  callback: CallbackRecord & { body: Prisma.InputJsonObject; error: string | null; result: Prisma.InputJsonObject },
): Promise<void> {
  const outbox = await deps.db.$transaction(async (tx) => {
    await tx.gatewayCallback.create({ data: { ...callback, verdict: 'UNREADABLE' } });
    const problem = callback.error?.slice(0, 300) ?? null;
    return raiseAttention(tx, { organizationId: gateway.organizationId, environment: callback.environment, subject: `gw:${gateway.id}` }, [{
      kind: 'UNREADABLE_CALLBACK', key: callback.bodySha256, evidence: {
        summary: `a signed ${callback.kind} callback could not be read: ${problem ?? 'unknown problem'}; nothing applied`,
        gatewayId: gateway.id, callbackId: callback.id, kind: callback.kind, problem, bodySha256: callback.bodySha256,
      },
    }]);
  });
  deps.outboxSignal.notify(outbox.map((e) => e.kind));
}

// An outbox row Paygate gives up on (out of attempts, or a payload it cannot read) leaves the claim
// index and becomes an OUTBOX_STUCK item, in one transaction.
import type { Tx } from '../../db';
import type { Environment } from '../../domain/environment';
import type { ClaimedRow } from '../outbox/outbox';
import { giveUpOutbox } from '../outbox/outbox';
import type { OutboxEntry } from '../outbox/outbox';
import { raiseAttention } from './raise';

/** Returns the outbox entries the item wrote (its ATTENTION_NEEDED event), to wake after commit. */
export async function giveUpOutboxRow(tx: Tx, row: ClaimedRow, error: string): Promise<OutboxEntry[]> {
  await giveUpOutbox(tx, row.id, error);
  // A row knows its organization; its environment is that of what it is about.
  const [about] = await tx.$queryRaw<{ environment: Environment | null; paymentId: string | null }[]>`
    SELECT coalesce(p.environment, r.environment, CASE o.payload #>> '{message,environment}' WHEN 'TEST' THEN 'TEST'::"Environment" WHEN 'LIVE' THEN 'LIVE'::"Environment" END) AS environment,
           coalesce(p.id, r."paymentId") AS "paymentId"
      FROM "Outbox" o
      LEFT JOIN "Payment" p ON p.id = o.payload ->> 'paymentId' AND p."organizationId" = o."organizationId"
      LEFT JOIN "Refund" r ON r.id = o.payload ->> 'refundId' AND r."organizationId" = o."organizationId"
     WHERE o.id = ${row.id}`;
  const message = (row.payload as { message?: { type?: unknown } } | null)?.message;
  return raiseAttention(tx, {
    organizationId: row.organizationId, environment: about?.environment ?? 'LIVE', paymentId: about?.paymentId ?? null, subject: `outbox:${row.key}`,
    silent: row.kind === 'webhook.event' && message?.type === 'ATTENTION_NEEDED',
  }, [{
    kind: 'OUTBOX_STUCK', key: row.key, evidence: {
      summary: `outbox row ${row.key} (${row.kind}) was given up after ${row.attempts + 1} attempts: manual handling`,
      outboxKey: row.key, outboxKind: row.kind, attempts: row.attempts + 1, lastError: error.slice(0, 300),
    },
  }]);
}

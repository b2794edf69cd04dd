// An outbox row Paygate gives up on (out of attempts, or a payload it cannot read) leaves the claim
// index and becomes an OUTBOX_STUCK item, in one transaction. Given up again after an operator
// re-drove it (`outbox retry`), its item opens again (a closed one too) with a new event.
import type { Tx } from '../../db';
import type { Environment } from '../../domain/environment';
import type { Logger } from '../../log';
import type { ClaimedRow } from '../outbox/outbox';
import { giveUpOutbox } from '../outbox/outbox';
import type { OutboxEntry } from '../outbox/outbox';
import { raiseAttention } from './raise';

/** Why, as the tenant sees it: the error itself (Outbox.lastError, the log) is for the operator. */
export type GiveUpReason = 'out of attempts' | 'malformed payload';

/** Returns the outbox entries the item wrote (its ATTENTION_NEEDED event), to wake after commit. */
export async function giveUpOutboxRow(tx: Tx, log: Logger, row: ClaimedRow, reason: GiveUpReason, error: string): Promise<OutboxEntry[]> {
  if (!(await giveUpOutbox(tx, row.id, `${reason}: ${error}`))) return []; // no longer open: someone else's to handle
  // A row knows its organization; its environment is that of what it is about.
  const [about] = await tx.$queryRaw<{ environment: Environment | null; paymentId: string | null }[]>`
    SELECT coalesce(p.environment, r.environment, CASE o.payload #>> '{message,environment}' WHEN 'TEST' THEN 'TEST'::"Environment" WHEN 'LIVE' THEN 'LIVE'::"Environment" END) AS environment,
           coalesce(p.id, r."paymentId") AS "paymentId"
      FROM "Outbox" o
      LEFT JOIN "Payment" p ON p.id = o.payload ->> 'paymentId' AND p."organizationId" = o."organizationId"
      LEFT JOIN "Refund" r ON r.id = o.payload ->> 'refundId' AND r."organizationId" = o."organizationId"
     WHERE o.id = ${row.id}`;
  if (!about?.environment) {
    // Never guessed: an item in the wrong environment's queue would show one tenant key what the other's may not.
    log.error({ outboxId: String(row.id), key: row.key, kind: row.kind }, 'outbox row given up; it names no payment, refund or environment: no attention item, manual handling (see Outbox.lastError)');
    return [];
  }
  const message = (row.payload as { message?: { type?: unknown } } | null)?.message;
  return raiseAttention(tx, {
    organizationId: row.organizationId, environment: about.environment, paymentId: about.paymentId, subject: `outbox:${row.key}`,
    silent: row.kind === 'webhook.event' && message?.type === 'ATTENTION_NEEDED', onRepeat: 'reopen',
  }, [{
    kind: 'OUTBOX_STUCK', key: row.key, evidence: {
      summary: `outbox row ${row.key} (${row.kind}) was given up (${reason}) after ${row.attempts + 1} attempts: manual handling`,
      outboxKey: row.key, outboxKind: row.kind, attempts: row.attempts + 1, reason,
    },
  }]);
}

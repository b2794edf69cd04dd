// Receipts the register took (PENDING with its id) whose Receipt notification has not come: a
// notification can be lost, so they are asked for (kkt/receipt/get) after a while, least recently
// asked first. One still unprinted after a day is something a person must look at.
import type { Deps } from '../../context';
import { raiseAttention } from '../attention/raise';
import { loadGateway } from '../gateways/load-gateway';
import { askRegister } from './issue-receipt';

/** How long after sending a receipt is first asked for (its notification usually comes in seconds). */
export const ASK_AFTER_MS = 60_000;
/** Unprinted this long after it was sent: RECEIPT_UNCONFIRMED. */
export const UNCONFIRMED_AFTER_MS = 24 * 3600_000;
const BATCH = 100;
const RUN_BUDGET_MS = 20_000;

export async function recheckReceipts(deps: Deps, now = new Date()): Promise<Record<string, number>> {
  const due = await deps.db.receipt.findMany({
    where: { status: 'PENDING', externalId: { not: null }, gatewayId: { not: null }, updatedAt: { lt: new Date(now.getTime() - ASK_AFTER_MS) } },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
  });
  const counts: Record<string, number> = {};
  const started = Date.now();
  for (const r of due) {
    if (Date.now() - started > RUN_BUDGET_MS) break;
    let result: string;
    try {
      const gateway = await loadGateway(deps, r.gatewayId);
      result = gateway && gateway.organizationId === r.organizationId ? await askRegister(deps, gateway, r.id, r.externalId!) : 'cannot ask';
      if (result !== 'issued') {
        // To the back of the line; a day without a print is raised once.
        await deps.db.$transaction(async (tx) => {
          await tx.receipt.updateMany({ where: { id: r.id, status: 'PENDING' }, data: { updatedAt: new Date() } });
          if (now.getTime() - r.createdAt.getTime() < UNCONFIRMED_AFTER_MS) return;
          const events = await raiseAttention(tx, { organizationId: r.organizationId, environment: r.environment, paymentId: r.paymentId, subject: `receipt:${r.id}` }, [{
            kind: 'RECEIPT_UNCONFIRMED', key: r.id,
            evidence: { receiptId: r.id, type: r.type, amount: r.amount.toFixed(2), externalId: r.externalId, sentAt: r.createdAt.toISOString(), lastAnswer: result },
          }]);
          if (events.length) deps.outboxSignal.notify(events.map((e) => e.kind));
        });
      }
    } catch (err) {
      deps.log.error({ err, receiptId: r.id }, 'receipt check failed; trying again on a later run');
      result = 'failed';
    }
    counts[result] = (counts[result] ?? 0) + 1;
  }
  if (due.length) deps.log.info(counts, 'receipt check run');
  return counts;
}

// The debit side of auto top-up: called by postToLedger (the only ledger writer) for the clients a
// posting debited, under their row locks and in the debit's transaction. A rule that decides to
// charge records the trigger (one in flight) and today's count, and writes the outbox row that
// makes the charge (jobs/outbox/auto-top-up.ts) after commit.
import type { Tx } from '../../db';
import { autoTopUpPaymentKey, decideAutoTopUp } from '../../domain/auto-top-up';
import { Decimal } from '../../domain/money';
import type { Environment } from '../../generated/prisma/enums';
import { addOutbox } from '../outbox/outbox';

export interface Debited {
  organizationId: string;
  environment: Environment;
  clientId: string;
  /** The last debit's ledger entry: the trigger. */
  entryId: string;
  balanceAfter: Decimal;
}

export async function triggerAutoTopUps(tx: Tx, debited: readonly Debited[], now = new Date()): Promise<void> {
  if (!debited.length) return;
  const rules = await tx.autoTopUp.findMany({
    where: { OR: debited.map((d) => ({ organizationId: d.organizationId, environment: d.environment, clientId: d.clientId })), enabled: true, pausedReason: null },
  });
  for (const rule of rules) {
    const d = debited.find((x) => x.organizationId === rule.organizationId && x.environment === rule.environment && x.clientId === rule.clientId)!;
    const last = rule.lastPaymentId ? await tx.payment.findUnique({ where: { id: rule.lastPaymentId }, select: { idempotencyKey: true, status: true } }) : null;
    const decision = decideAutoTopUp({ ...rule, threshold: new Decimal(rule.threshold.toString()) }, d.balanceAfter, last, now);
    if (!decision.charge) continue;
    await tx.autoTopUp.update({
      where: { organizationId_environment_clientId: { organizationId: rule.organizationId, environment: rule.environment, clientId: rule.clientId } },
      data: { inFlightTrigger: d.entryId, chargeDay: decision.chargeDay, chargesToday: decision.chargesToday },
    });
    await addOutbox(tx, [{
      key: autoTopUpPaymentKey(d.entryId), kind: 'auto-top-up', organizationId: rule.organizationId,
      payload: { environment: rule.environment, clientId: rule.clientId, trigger: d.entryId, attempt: 0 },
    }]);
  }
}

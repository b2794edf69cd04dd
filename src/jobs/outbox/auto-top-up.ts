import { z } from 'zod';
import { chargeAutoTopUp, prepareAutoTopUp } from '../../services/auto-top-up/charge';
import { defineOutboxHandler } from './handler';

/** An auto top-up's trigger (or its follow-up): the payment made in the claim, the charge after commit. */
export const autoTopUpHandler = defineOutboxHandler({
  kind: 'auto-top-up',
  batch: 20,
  loops: 1,
  payload: z.object({ environment: z.enum(['LIVE', 'TEST']), clientId: z.string().min(1), trigger: z.string().min(1), attempt: z.number().int().min(0) }),
  async carryOut(deps, tx, rows) {
    const charges: { paymentId: string; settleOnly: boolean }[] = [];
    for (const { row, payload } of rows) {
      const next = await prepareAutoTopUp(deps, tx, row.organizationId, payload);
      if (next) charges.push(next);
    }
    if (!charges.length) return;
    return async () => {
      for (const c of charges) {
        await chargeAutoTopUp(deps, c.paymentId, c.settleOnly).catch((err) => deps.log.warn({ err, paymentId: c.paymentId }, 'auto top-up charge failed; its follow-up row tries again'));
      }
    };
  },
});

import { z } from 'zod';
import { bookRefund } from '../../services/refunds/book-refund';
import { defineOutboxHandler } from './handler';

/** Books a refund the gateway accepted, one per transaction (each locks its payment). */
export const bookRefundHandler = defineOutboxHandler({
  kind: 'refund.book',
  batch: 1,
  loops: 1,
  payload: z.object({ refundId: z.string().min(1) }),
  carryOut: (deps, tx, [{ payload }]) => bookRefund(deps, tx, payload.refundId),
});

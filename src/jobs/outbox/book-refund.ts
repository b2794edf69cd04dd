import { z } from 'zod';
import { bookRefund } from '../../services/refunds/book-refund';
import { defineOutboxJob } from './run';

/** Books a refund the gateway accepted: the payment's status and the balance debit. */
export const bookRefundJob = defineOutboxJob('refund.book', z.object({ refundId: z.string().min(1) }), (deps, row, { refundId }) =>
  bookRefund(deps, row.key, refundId));

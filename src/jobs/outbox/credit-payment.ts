import { z } from 'zod';
import { creditPayment } from '../../services/ledger/credit-payment';
import { defineOutboxJob } from './run';

/** Books a confirmed payment on the client's balance. */
export const creditPaymentJob = defineOutboxJob('payment.credit', z.object({ paymentId: z.string().min(1) }), (deps, row, { paymentId }) =>
  creditPayment(deps, row.key, paymentId));

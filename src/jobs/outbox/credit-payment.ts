import { z } from 'zod';
import { isUniqueViolation } from '../../services/common/db-errors';
import { creditPayments } from '../../services/ledger/credit-payment';
import { defineOutboxHandler } from './handler';

/** Books confirmed payments on the clients' balances, up to 200 per transaction. */
export const creditPaymentHandler = defineOutboxHandler({
  kind: 'payment.credit',
  batch: 200,
  loops: 1,
  gatherMs: 100,
  payload: z.object({ paymentId: z.string().min(1) }),
  carryOut: (deps, tx, rows) => creditPayments(deps, tx, rows.map((r) => r.payload.paymentId)),
  // The ledger already has this credit (its unique TOP_UP entry): whatever ran before booked it.
  alreadyDone: isUniqueViolation,
});

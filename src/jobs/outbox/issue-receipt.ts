import { z } from 'zod';
import { issueReceipts } from '../../services/receipts/issue-receipt';
import { defineOutboxHandler } from './handler';

/** Sends queued 54-FZ receipts to the cash register (services/receipts/issue-receipt.ts). */
export const issueReceiptHandler = defineOutboxHandler({
  kind: 'receipt.issue',
  batch: 20,
  loops: 1,
  payload: z.object({ receiptId: z.string().min(1) }),
  carryOut: (deps, tx, rows) => issueReceipts(deps, tx, rows.map((r) => r.payload.receiptId)),
});

// A receipt as GraphQL and the RECEIPT_ISSUED webhook show it: no request body, no register ids.
import { formatAmount } from '../../domain/money';
import type { Receipt } from '../../generated/prisma/client';
import type { OutboxEntry } from '../outbox/outbox';
import { webhookEvent } from '../webhooks/emit';

export interface ReceiptView {
  id: string;
  paymentId: string | null;
  type: Receipt['type'];
  status: Receipt['status'];
  amount: string;
  fiscalNumber: string | null;
  fiscalSign: string | null;
  documentNumber: string | null;
  url: string | null;
  qrCodeUrl: string | null;
  error: string | null;
  createdAt: Date;
}

export const toReceiptView = (r: Receipt): ReceiptView => ({
  id: r.id, paymentId: r.paymentId, type: r.type, status: r.status, amount: formatAmount(r.amount, 'RUB'),
  fiscalNumber: r.fiscalNumber, fiscalSign: r.fiscalSign, documentNumber: r.documentNumber, url: r.url, qrCodeUrl: r.qrCodeUrl, error: r.error, createdAt: r.createdAt,
});

export function receiptIssuedEvent(r: Receipt): OutboxEntry {
  const v = toReceiptView(r);
  return webhookEvent('RECEIPT_ISSUED', r, { ...v, createdAt: v.createdAt.toISOString() });
}

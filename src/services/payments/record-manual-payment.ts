// recordManualPayment: money staff took themselves (cash at the desk, a bank transfer). A MANUAL
// payment (no gateway), CONFIRMED by the staff member in the transaction that creates it, and
// credited like any other: its credit goes through the outbox (exactly once), once per
// idempotency key.
import type { Ctx } from '../../context';
import { AppError, badInput, unknownClient } from '../../domain/errors';
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { parseAmount, parseCurrency } from '../../domain/money';
import type { Payment } from '../../generated/prisma/client';
import { outboxOf, writeHistory } from '../book/persist';
import { callerIdempotencyKey, once, requestHash } from '../common/idempotency';
import { externalId, optionalText } from '../common/validate';
import { addOutbox } from '../outbox/outbox';
import { payerOf } from './payer';
import { toPaymentView, type PaymentView } from './view';

export const MANUAL_METHODS = ['CASH', 'BANK_TRANSFER', 'OTHER'] as const;
export type ManualMethod = (typeof MANUAL_METHODS)[number];

export interface ManualPaymentInput {
  clientId: string;
  clubId: string;
  amount: string;
  currency?: string | null;
  method: ManualMethod;
  documentNumber?: string | null;
  description?: string | null;
  idempotencyKey?: string | null;
}

const METHOD_WORDS: Record<ManualMethod, string> = { CASH: 'cash', BANK_TRANSFER: 'bank transfer', OTHER: 'other means' };

export async function recordManualPayment(ctx: Ctx, input: ManualPaymentInput): Promise<PaymentView> {
  const clientId = externalId(input.clientId, 'clientId');
  const clubId = externalId(input.clubId, 'clubId');
  if (!MANUAL_METHODS.includes(input.method)) throw badInput(`method must be one of ${MANUAL_METHODS.join(', ')}`, 'method');
  const stated = input.currency == null ? null : parseCurrency(input.currency);
  const known = await ctx.deps.db.client.findUnique({ where: { organizationId_id: { organizationId: ctx.orgId, id: clientId } }, select: { currency: true } });
  if (!known) throw unknownClient(clientId);
  const currency = stated ?? known.currency;
  const amount = parseAmount(input.amount, currency);
  const documentNumber = optionalText(input.documentNumber, 'documentNumber', 64) ?? null;
  const description = optionalText(input.description, 'description', 500) ?? null;
  const idempotencyKey = callerIdempotencyKey(input.idempotencyKey);
  const hash = requestHash(['manual', clientId, clubId, amount.toFixed(), currency, input.method, documentNumber, description]);

  const { row, replayed } = await once<Payment>({
    key: idempotencyKey,
    requestHash: hash,
    what: 'manual payment',
    find: (key) => ctx.deps.db.payment.findUnique({ where: { organizationId_environment_idempotencyKey: { organizationId: ctx.orgId, environment: ctx.env, idempotencyKey: key } } }),
    create: () => ctx.deps.db.$transaction(async (tx) => {
      await payerOf(tx, ctx, clientId, clubId, currency, 'payment');
      if (documentNumber) await oneDocumentOnePayment(tx, ctx, documentNumber);
      const now = new Date();
      const payment = await tx.payment.create({
        data: {
          id: newId('pay'), organizationId: ctx.orgId, environment: ctx.env, clientId, clubId, gatewayId: null, gatewayType: 'MANUAL', status: 'CONFIRMED',
          amount: amount.toFixed(), currency, description, documentNumber, idempotencyKey, requestHash: hash,
          expiresAt: now, confirmedAt: now, metadata: { confirmedBy: 'staff', method: input.method },
        },
      });
      const text = `paid by ${METHOD_WORDS[input.method]}, recorded by staff${documentNumber ? ` (document ${documentNumber})` : ''}`;
      await writeHistory(tx, payment.id, null, 'CONFIRMED', ctx.actor, {
        code: 'MANUAL_PAYMENT', text, data: { method: input.method, ...(documentNumber ? { documentNumber } : {}), ...(ctx.actorName ? { actorName: ctx.actorName } : {}) },
      });
      await addOutbox(tx, [outboxOf({ kind: 'credit' }, payment, undefined)]);
      return payment;
    }),
  });
  if (!replayed) {
    ctx.deps.outboxSignal.notify(['payment.credit']);
    ctx.log.info({ paymentId: row.id, clientId, amount: row.amount.toString(), currency, method: input.method }, 'manual payment recorded');
  }
  return toPaymentView(row);
}

/**
 * A payment document is recorded once: a second call naming it (a double submit, a retry without
 * the idempotencyKey) is refused, naming the first. Calls naming one document wait for each other.
 */
async function oneDocumentOnePayment(tx: Tx, ctx: Ctx, documentNumber: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`manual:${ctx.orgId}:${ctx.env}:${documentNumber}`}))`;
  const earlier = await tx.payment.findFirst({ where: { organizationId: ctx.orgId, environment: ctx.env, gatewayType: 'MANUAL', documentNumber }, select: { id: true } });
  if (earlier) throw new AppError('CONFLICT', `document ${documentNumber} was already recorded as payment ${earlier.id}; to retry a call, send its idempotencyKey`, { details: { field: 'documentNumber', paymentId: earlier.id } });
}

// resolveShortfall: staff handle what a refund could not take back (domain/shortfall.ts decides).
// COLLECTED and WRITTEN_OFF close it; DEBITED takes what the balance holds now, as a REFUND ledger
// entry through the guarded ledger, once per refund: the payment, the refund and the client are
// locked in the book's order, the refund's state decides, and the entry's idempotency key is unique
// per refund, so a replayed or racing call never debits twice. The payment's history, the
// BALANCE_ADJUSTED event and the SHORTFALL attention item's closing commit with it.
import type { Ctx } from '../../context';
import { AppError, notFound } from '../../domain/errors';
import { formatAmount, Decimal } from '../../domain/money';
import { decideShortfall, shortfallDebitKey, type ShortfallResolution } from '../../domain/shortfall';
import type { Refund } from '../../generated/prisma/client';
import type { PaymentStatus } from '../../generated/prisma/enums';
import { writeHistory } from '../book/persist';
import { isUniqueViolation } from '../common/db-errors';
import { optionalText } from '../common/validate';
import { BALANCE_COLUMN, postToLedger } from '../ledger/post';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';
import { toRefundView, type RefundView } from '../payments/get-payment';
import { balanceAdjustedEvent } from '../webhooks/emit';

const REFUND_ID = /^ref_[0-9a-z]{10,60}$/;
const SHORTFALL_NOTE_MAX = 2000;

export async function resolveShortfall(ctx: Ctx, refundId: string, how: ShortfallResolution, noteInput?: string | null): Promise<RefundView> {
  const note = optionalText(noteInput, 'note', SHORTFALL_NOTE_MAX) ?? null;
  if (!REFUND_ID.test(refundId)) throw notFound('refund', refundId.slice(0, 64));
  const found = await ctx.deps.db.refund.findFirst({ where: { id: refundId, organizationId: ctx.orgId, environment: ctx.env }, select: { paymentId: true } });
  if (!found) throw notFound('refund', refundId);
  const outbox: OutboxEntry[] = [];
  let view: RefundView;
  try {
    view = await ctx.deps.db.$transaction(async (tx) => {
      // The book's lock order: the payment, then its refund, then the client.
      const [payment] = await tx.$queryRaw<{ id: string; status: PaymentStatus; clientId: string; currency: string }[]>`
        SELECT id, status, "clientId", currency FROM "Payment" WHERE id = ${found.paymentId} FOR UPDATE`;
      const [refund] = await tx.$queryRaw<Refund[]>`SELECT * FROM "Refund" WHERE id = ${refundId} FOR UPDATE`;
      const state = { shortfall: new Decimal(refund.shortfall.toString()), debited: new Decimal(refund.shortfallDebited.toString()), resolvedAt: refund.shortfallResolvedAt };
      let balance = new Decimal(0);
      if (how === 'DEBITED') {
        const [client] = await tx.$queryRaw<{ balance: string }[]>`
          SELECT ${BALANCE_COLUMN[ctx.env]}::text AS balance FROM "Client" WHERE "organizationId" = ${ctx.orgId} AND id = ${payment.clientId} FOR UPDATE`;
        balance = new Decimal(client?.balance ?? 0);
      }
      const decision = decideShortfall(refundId, state, how, balance);
      if (decision.refusal) throw new AppError(decision.refusal.code, decision.refusal.message, { details: { field: decision.refusal.field } });
      const shown = (d: Decimal) => formatAmount(d, payment.currency);
      if (decision.debit.gt(0)) {
        const [entry] = await postToLedger(tx, [{
          organizationId: ctx.orgId, environment: ctx.env, clientId: payment.clientId, kind: 'REFUND', amount: decision.debit.negated(), paymentId: payment.id,
          actor: ctx.actor, reason: `shortfall of refund ${refundId} debited`, idempotencyKey: shortfallDebitKey(refundId),
        }]);
        outbox.push(...await addOutbox(tx, [balanceAdjustedEvent({ organizationId: ctx.orgId, environment: ctx.env }, entry, payment.currency, ctx.actor, {
          paymentId: payment.id, refundId, shortfall: shown(decision.remaining),
        })]));
      }
      const now = new Date();
      const updated = await tx.refund.update({
        where: { id: refundId },
        data: {
          shortfall: decision.remaining.toFixed(), shortfallDebited: state.debited.plus(decision.debit).toFixed(), shortfallResolution: how,
          ...(note !== null ? { shortfallNote: note } : {}), shortfallResolvedAt: decision.closes ? now : null,
        },
      });
      const text = how === 'DEBITED'
        ? `shortfall of refund ${refundId}: ${shown(decision.debit)} ${payment.currency} debited from the balance${decision.closes ? '' : `; ${shown(decision.remaining)} still short`}`
        : `shortfall of refund ${refundId} (${shown(state.shortfall)} ${payment.currency}) resolved: ${how}`;
      await tx.payment.update({ where: { id: payment.id }, data: { updatedAt: now } });
      await writeHistory(tx, payment.id, payment.status, payment.status, ctx.actor, {
        code: 'SHORTFALL_RESOLVED', text: note ? `${text}: ${note}` : text, data: { refundId, how, debited: decision.debit.toFixed(), remaining: decision.remaining.toFixed() },
      });
      if (decision.closes) {
        await tx.attentionItem.updateMany({
          where: { organizationId: ctx.orgId, environment: ctx.env, kind: 'SHORTFALL', refundId, resolvedAt: null },
          data: { resolvedAt: now, resolvedBy: ctx.actor, note: note ?? how },
        });
      }
      return toRefundView(updated, payment.currency);
    });
  } catch (err) {
    // The entry's key is taken (only by a key given by hand before such keys were refused): nothing was written.
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `the balance was already debited for refund ${refundId}`, { details: { field: 'refundId' } });
    throw err;
  }
  ctx.deps.outboxSignal.notify(outbox.map((e) => e.kind));
  ctx.log.info({ refundId, how, shortfall: view.shortfall, debited: view.shortfallDebited }, 'shortfall resolved');
  return view;
}

// Load, lock, decide, persist: the one way a decision about a payment is made. After commit the
// outbox is published and what needs a person is logged.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import type { Environment } from '../../generated/prisma/enums';
import { decide, type BookInput, type Decision, type PaymentSnapshot, type Refusal } from '../../domain/book';
import { AppError } from '../../domain/errors';
import { applyDecision, type Applied, type Who } from './persist';
import { loadPayment, type Loaded } from './snapshot';

export interface Ran {
  decision: Decision;
  applied: Applied;
  snapshot: PaymentSnapshot;
}

export interface RunOptions {
  who: Who;
  /** Only a payment of this organization and environment: the tenant guard of staff commands. */
  owner?: { organizationId: string; environment: Environment };
  /** Load the payment's refunds (decisions about refunds read them). */
  refunds?: boolean;
  /** Look for another payment of the gateway holding this transaction id (Loaded.transactionHeldBy). */
  transactionId?: string;
  /** Also written in the same transaction, after the decision (a callback row). */
  alongside?: (tx: Tx, ran: Ran) => Promise<void>;
}

type InputOf = BookInput | ((loaded: Loaded) => BookInput);

/** Null when there is no such payment (in that organization). */
export async function runBook(deps: Deps, paymentId: string, input: InputOf, options: RunOptions): Promise<Ran | null> {
  const ran = await deps.db.$transaction(async (tx) => {
    const loaded = await loadPayment(tx, paymentId, { lock: true, refunds: options.refunds, transactionId: options.transactionId });
    if (!loaded || (options.owner && (loaded.row.organizationId !== options.owner.organizationId || loaded.row.environment !== options.owner.environment))) return null;
    const asked = typeof input === 'function' ? input(loaded) : input;
    const decision = decide(loaded.snapshot, asked);
    const applied = await applyDecision(tx, loaded.row, decision, options.who);
    const result = { decision, applied, snapshot: loaded.snapshot };
    await options.alongside?.(tx, result);
    return result;
  });
  if (ran) afterCommit(deps, paymentId, ran);
  return ran;
}

export function afterCommit(deps: Deps, paymentId: string | null, ran: { decision: Decision; applied?: Pick<Applied, 'outbox'> | null }): void {
  if (ran.decision.attention) deps.log.warn({ paymentId, note: ran.decision.attention }, 'needs attention');
  deps.outboxSignal.notify((ran.applied?.outbox ?? []).map((e) => e.kind));
}

/** A refusal of the book, as the error the caller answers with. */
export function refused(refusal: Refusal): AppError {
  return new AppError(refusal.code, refusal.message, { details: { ...(refusal.field ? { field: refusal.field } : {}), ...refusal.details } });
}

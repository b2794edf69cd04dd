// The outbox consumers of a worker process: for each kind, a few loops that claim a batch of open
// rows (FOR UPDATE SKIP LOCKED, so processes and loops never share a row), carry it out and mark
// it DONE in one transaction, and go on while there is more. Idle, a loop sleeps until a wake-up
// (services/outbox/signal.ts) or its poll interval, so a lost wake-up delays a row, never loses it.
// A process that dies mid-batch loses its connection: Postgres rolls the batch back and the rows
// are open again for the next claim. A batch that fails is retried row by row, so one bad row
// holds up nothing else; a failing row backs off and, out of attempts, is given up: it leaves the
// claim index and becomes an OUTBOX_STUCK item of the attention queue.
import type { Deps } from '../../context';
import { giveUpOutboxRow } from '../../services/attention/outbox-stuck';
import { claimOutbox, markOutboxDone, recordOutboxFailure, type ClaimedRow, type OutboxEntry } from '../../services/outbox/outbox';
import { createRedis } from '../../redis';
import { bookRefundHandler } from './book-refund';
import { creditPaymentHandler } from './credit-payment';
import { fanOutEventHandler } from './fan-out-event';
import { autoTopUpHandler } from './auto-top-up';
import { issueReceiptHandler } from './issue-receipt';
import type { OutboxHandler } from './handler';

export const OUTBOX_HANDLERS: readonly OutboxHandler<never>[] = [creditPaymentHandler, bookRefundHandler, fanOutEventHandler, autoTopUpHandler, issueReceiptHandler] as OutboxHandler<never>[];

/** A row that failed this often is given up (GIVEN_UP, an OUTBOX_STUCK item, logged by the relay). */
export const MAX_OUTBOX_ATTEMPTS = 40;
/** 1 s, 2 s, 4 s … at most 5 minutes. */
const outboxRetryDelayMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 300_000);

export interface OutboxConsumers {
  close(force?: boolean): Promise<void>;
}

/** Claims and carries out one batch (or the one row `id`); returns how many rows it claimed. */
export async function drainOutbox(deps: Deps, handler: OutboxHandler<never>, id?: bigint): Promise<number> {
  let claimed: ClaimedRow[] = [];
  let after: (() => void | Promise<void>) | void = undefined;
  const raised: OutboxEntry[] = [];
  try {
    after = await deps.db.$transaction(async (tx) => {
      claimed = await claimOutbox(tx, { kind: handler.kind, take: id === undefined ? handler.batch : 1, maxAttempts: MAX_OUTBOX_ATTEMPTS, id });
      const rows: { row: ClaimedRow; payload: never }[] = [];
      for (const row of claimed) {
        const payload = handler.payload.safeParse(row.payload);
        if (payload.success) rows.push({ row, payload: payload.data });
        else raised.push(...await giveUpOutboxRow(tx, deps.log, row, 'malformed payload', payload.error.message));
      }
      const done = rows.length ? await handler.carryOut(deps, tx, rows) : undefined;
      await markOutboxDone(tx, rows.map((r) => r.row.id));
      return done;
    }, { timeout: 60_000 });
  } catch (err) {
    if (!claimed.length) throw err; // nothing was claimed: the database itself failed
    if (claimed.length > 1) {
      deps.log.warn({ err, kind: handler.kind, rows: claimed.length }, 'outbox batch failed; retrying its rows one by one');
      for (const row of claimed) await drainOutbox(deps, handler, row.id);
      return claimed.length;
    }
    await failed(deps, handler, claimed[0], err);
    return 1;
  }
  if (raised.length) deps.outboxSignal.notify(raised.map((e) => e.kind));
  try {
    await after?.();
  } catch (err) {
    deps.log.warn({ err, kind: handler.kind }, 'after an outbox batch: a follow-up failed (the relays catch up)');
  }
  return claimed.length;
}

async function failed(deps: Deps, handler: OutboxHandler<never>, row: ClaimedRow, err: unknown): Promise<void> {
  if (handler.alreadyDone?.(err)) {
    await deps.db.$transaction((tx) => markOutboxDone(tx, [row.id]));
    return;
  }
  const message = String((err as Error)?.message ?? err);
  if (row.attempts + 1 >= MAX_OUTBOX_ATTEMPTS) {
    deps.log.error({ err, kind: handler.kind, key: row.key, attempts: row.attempts + 1 }, 'outbox row out of attempts: given up, manual handling');
    const raised = await deps.db.$transaction((tx) => giveUpOutboxRow(tx, deps.log, row, 'out of attempts', message));
    deps.outboxSignal.notify(raised.map((e) => e.kind));
    return;
  }
  deps.log.warn({ err, kind: handler.kind, key: row.key, attempts: row.attempts + 1 }, 'outbox row failed; it will be retried');
  await recordOutboxFailure(deps.db, row.id, message, outboxRetryDelayMs(row.attempts));
}

export function startOutboxConsumers(deps: Deps, options: { pollMs?: number } = {}): OutboxConsumers {
  const pollMs = options.pollMs ?? 1000;
  const subscriber = createRedis(deps.config.redisUrl.reveal(), 'worker', 'paygate-outbox-wake');
  subscriber.on('error', (err) => deps.log.debug({ err }, 'outbox wake-up subscriber: Redis unavailable (polling meanwhile)'));
  subscriber.on('message', (_channel: string, message: string) => deps.outboxSignal.heard(message));
  subscriber.subscribe(deps.outboxSignal.channel).catch((err) => deps.log.warn({ err }, 'outbox wake-ups not subscribed (polling meanwhile)'));

  let stopping = false;
  const wakers = new Set<() => void>();
  const loop = async (handler: OutboxHandler<never>) => {
    let woken = false;
    let wake: (() => void) | null = null;
    const waker = () => {
      woken = true;
      wake?.();
    };
    wakers.add(waker);
    const unlisten = deps.outboxSignal.listen(handler.kind, waker);
    try {
      while (!stopping) {
        woken = false;
        let claimed = 0;
        let broken = false;
        try {
          claimed = await drainOutbox(deps, handler);
        } catch (err) {
          broken = true;
          deps.log.warn({ err, kind: handler.kind }, 'outbox consumer: could not claim rows; trying again');
        }
        if (stopping) break;
        if (!broken && claimed >= handler.batch) continue;
        if (!woken || broken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        // Woken: a moment for more rows to commit, so that under load a batch carries many.
        if (!stopping && handler.gatherMs) await new Promise((resolve) => setTimeout(resolve, handler.gatherMs));
      }
    } finally {
      unlisten();
      wakers.delete(waker);
    }
  };
  const running = OUTBOX_HANDLERS.flatMap((h) => Array.from({ length: h.loops }, () => loop(h)));

  return {
    async close(force = false) {
      stopping = true;
      for (const w of wakers) w();
      // Forced, a batch still running is left to its transaction: rolled back if the process dies.
      if (!force) await Promise.all(running);
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

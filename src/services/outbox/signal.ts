// The wake-up after commit: "there are open outbox rows of these kinds". A process that consumes
// the kind itself wakes its own consumer; one that does not (an api-only process) tells the others
// through Redis pub/sub, one message per kind per tick however many rows committed. It is only a
// hint: lost (Redis away, restarted, nobody listening) it costs a consumer's poll interval, never
// a row; and a busy process's rows are shared by the others' polls (SKIP LOCKED).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log';
import type { OutboxKind } from './outbox';

export interface OutboxSignal {
  /** After commit: rows of these kinds are open. */
  notify(kinds: Iterable<OutboxKind>): void;
  /** Called on every wake-up of this kind, from this process or another. Returns the unsubscribe. */
  listen(kind: OutboxKind, listener: () => void): () => void;
  /** The Redis channel, and how to tell this process's own messages from others'. */
  readonly channel: string;
  readonly origin: string;
  /** A message heard on the channel (the subscriber connection lives with the consumers). */
  heard(message: string): void;
}

export function createOutboxSignal(redis: Redis, prefix: string, log: Logger): OutboxSignal {
  const channel = `${prefix}:outbox:wake`;
  const origin = randomUUID();
  const listeners = new Map<OutboxKind, Set<() => void>>();
  const unsent = new Set<OutboxKind>();
  let flushing = false;

  const wakeHere = (kind: OutboxKind) => {
    for (const listener of listeners.get(kind) ?? []) listener();
  };
  const flush = () => {
    flushing = false;
    const kinds = [...unsent];
    unsent.clear();
    if (redis.status !== 'ready') return; // the consumers' poll finds the rows
    redis.publish(channel, `${origin} ${kinds.join(' ')}`).catch((err) => log.debug({ err }, 'outbox wake-up not published'));
  };

  return {
    channel,
    origin,
    notify(kinds) {
      for (const kind of kinds) {
        if (listeners.get(kind)?.size) wakeHere(kind);
        else unsent.add(kind);
      }
      if (unsent.size && !flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    listen(kind, listener) {
      const set = listeners.get(kind) ?? new Set();
      listeners.set(kind, set.add(listener));
      return () => void set.delete(listener);
    },
    heard(message) {
      const [from, ...kinds] = message.split(' ');
      if (from === origin) return;
      for (const kind of kinds) wakeHere(kind as OutboxKind);
    },
  };
}

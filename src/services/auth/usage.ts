// A key's usage ("requests today", in its organization's time zone) is counted in memory and added
// to Redis once a second, in one pipeline for every key this process served: no request waits for
// it, and none writes the database. A process that dies loses at most its last second of counts.
// The same flush records when each key was last used (to the minute) in its row.
import type { Redis } from 'ioredis';
import type { Db } from '../../db';
import type { Logger } from '../../log';

const FLUSH_EVERY_MS = 1000;
const LAST_USED_RESOLUTION_S = 60;
const KEEP_DAYS_S = 3 * 86_400;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function dayIn(timeZone: string, at: Date): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

const usageKey = (prefix: string, tokenId: string, day: string) => `${prefix}:usage:${tokenId}:${day}`;

export interface KeyUsage {
  requestsToday: number;
  /** The last request this process counted and has not written to the key's row yet. */
  unrecordedUseAt: Date | null;
}

export interface UsageMeter {
  count(tokenId: string, orgId: string): void;
  /** Per key: requests today (what Redis holds plus what this process has not sent yet). */
  usageOf(tokenIds: string[], timeZone: string): Promise<Map<string, KeyUsage>>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending { orgId: string; n: number; lastAt: Date }

export function createUsageMeter(db: Db, redis: Redis, prefix: string, log: Logger): UsageMeter {
  let pending = new Map<string, Pending>();
  let sending: Promise<void> = Promise.resolve();
  const send = async (batch: Map<string, Pending>) => {
    const now = new Date();
    try {
      const orgIds = [...new Set([...batch.values()].map((v) => v.orgId))];
      const zones = new Map((await db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, timeZone: true } })).map((o) => [o.id, o.timeZone]));
      const pipeline = redis.pipeline();
      for (const [tokenId, { orgId, n }] of batch) {
        const key = usageKey(prefix, tokenId, dayIn(zones.get(orgId) ?? 'UTC', now));
        pipeline.incrby(key, n).expire(key, KEEP_DAYS_S);
      }
      await pipeline.exec();
    } catch (err) {
      log.warn({ err, keys: batch.size }, 'API key usage not counted: Redis or Postgres unavailable');
    }
    try {
      await db.$executeRaw`UPDATE "ApiToken" SET "lastUsedAt" = ${now}
        WHERE id = ANY(${[...batch.keys()]}::text[]) AND "revokedAt" IS NULL AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${now}::timestamptz - make_interval(secs => ${LAST_USED_RESOLUTION_S}))`;
    } catch (err) {
      log.warn({ err, keys: batch.size }, 'API keys\' last use not recorded: Postgres unavailable');
    }
  };
  // One batch at a time, so a reader that waits for `sending` sees every count exactly once.
  const flush = () => {
    sending = sending.then(() => {
      if (!pending.size) return;
      const batch = pending;
      pending = new Map();
      return send(batch);
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
  timer.unref();
  return {
    count(tokenId, orgId) {
      const entry = pending.get(tokenId);
      if (entry) {
        entry.n++;
        entry.lastAt = new Date();
      } else pending.set(tokenId, { orgId, n: 1, lastAt: new Date() });
    },
    async usageOf(tokenIds, timeZone) {
      const out = new Map<string, KeyUsage>();
      if (!tokenIds.length) return out;
      await sending;
      const day = dayIn(timeZone, new Date());
      const counts = await redis.mget(tokenIds.map((id) => usageKey(prefix, id, day))).catch(() => tokenIds.map(() => null));
      tokenIds.forEach((id, i) => {
        const unsent = pending.get(id);
        out.set(id, { requestsToday: Number(counts[i] ?? 0) + (unsent?.n ?? 0), unrecordedUseAt: unsent?.lastAt ?? null });
      });
      return out;
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

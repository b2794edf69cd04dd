// A key's usage ("requests today", in its organization's time zone) is counted in memory and added
// to Redis once a second, in one pipeline for every key this process served: no request waits for
// it, and none writes the database. A process that dies loses at most its last second of counts.
import type { Redis } from 'ioredis';
import type { Db } from '../../db';
import type { Logger } from '../../log';

const FLUSH_EVERY_MS = 1000;
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

export interface UsageMeter {
  count(tokenId: string, orgId: string): void;
  /** Requests today per key: what Redis holds plus what this process has not sent yet. */
  requestsToday(tokenIds: string[], timeZone: string): Promise<Map<string, number>>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createUsageMeter(db: Db, redis: Redis, prefix: string, log: Logger): UsageMeter {
  let pending = new Map<string, { orgId: string; n: number }>();
  const flush = async () => {
    if (!pending.size) return;
    const batch = pending;
    pending = new Map();
    try {
      const orgIds = [...new Set([...batch.values()].map((v) => v.orgId))];
      const zones = new Map((await db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, timeZone: true } })).map((o) => [o.id, o.timeZone]));
      const now = new Date();
      const pipeline = redis.pipeline();
      for (const [tokenId, { orgId, n }] of batch) {
        const key = usageKey(prefix, tokenId, dayIn(zones.get(orgId) ?? 'UTC', now));
        pipeline.incrby(key, n).expire(key, KEEP_DAYS_S);
      }
      await pipeline.exec();
    } catch (err) {
      log.warn({ err, keys: batch.size }, 'API key usage not counted: Redis or Postgres unavailable');
    }
  };
  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
  timer.unref();
  return {
    count(tokenId, orgId) {
      const entry = pending.get(tokenId);
      if (entry) entry.n++;
      else pending.set(tokenId, { orgId, n: 1 });
    },
    async requestsToday(tokenIds, timeZone) {
      const out = new Map<string, number>();
      if (!tokenIds.length) return out;
      const day = dayIn(timeZone, new Date());
      const counts = await redis.mget(tokenIds.map((id) => usageKey(prefix, id, day))).catch(() => tokenIds.map(() => null));
      tokenIds.forEach((id, i) => out.set(id, Number(counts[i] ?? 0) + (pending.get(id)?.n ?? 0)));
      return out;
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

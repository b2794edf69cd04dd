// A key's usage counters live in Redis (one INCR per request, with the rate limit's own round
// trip); "today" is the organization's day, in its time zone.
import type { Redis } from 'ioredis';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function dayIn(timeZone: string, at: Date): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

export function usageKey(prefix: string, tokenId: string, timeZone: string, at: Date): string {
  return `${prefix}:usage:${tokenId}:${dayIn(timeZone, at)}`;
}

/** Requests today per key; 0 for a key Redis has not seen today (or when Redis is away). */
export async function requestsToday(redis: Redis, prefix: string, tokenIds: string[], timeZone: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!tokenIds.length) return out;
  const now = new Date();
  const counts = await redis.mget(tokenIds.map((id) => usageKey(prefix, id, timeZone, now))).catch(() => tokenIds.map(() => null));
  tokenIds.forEach((id, i) => out.set(id, Number(counts[i] ?? 0)));
  return out;
}

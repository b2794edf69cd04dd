// The keys this process has seen, by the hash of the token, so that a request whose own statement
// can check the key (see KeyCheck) needs no separate read of it. Only what never changes after a key
// is issued is kept (organization, role, environment, limit, expiry); whether it has been revoked is
// never taken from here. Unknown keys are not kept: a wrong token always costs a read, as before.
import type { Principal } from './authenticate';

const MAX_KEYS = 10_000;
/** A key's entry is read afresh at least this often, whatever happens to it. */
const ENTRY_TTL_MS = 10 * 60_000;

export interface KeyCache {
  get(tokenHash: string): Principal | undefined;
  set(tokenHash: string, principal: Principal): void;
  forget(tokenHash: string): void;
}

export function createKeyCache(now: () => number = Date.now): KeyCache {
  const entries = new Map<string, { principal: Principal; until: number }>();
  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (entry.until <= now()) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry.principal;
    },
    set(tokenHash, principal) {
      entries.delete(tokenHash);
      // Map keeps insertion order: the first key is the one set longest ago.
      if (entries.size >= MAX_KEYS) entries.delete(entries.keys().next().value!);
      entries.set(tokenHash, { principal, until: now() + ENTRY_TTL_MS });
    },
    forget(tokenHash) {
      entries.delete(tokenHash);
    },
  };
}

// Ids Paygate creates: a readable prefix, a time part (so ids sort by creation, which keeps
// indexes and cursors simple) and 80 random bits.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

export type IdPrefix = 'org' | 'tok' | 'gw' | 'pay' | 'ref' | 'led' | 'whk' | 'msg' | 'whd' | 'cb' | 'aud' | 'cmt' | 'flt' | 'att' | 'pm' | 'sub' | 'rcp';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 9; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}${base32(randomBytes(10))}`;
}

/** An organization's readable business code, e.g. "ORG-7K2QX9MD" (Crockford base32, upper case). */
export function newOrgCode(): string {
  return `ORG-${base32(randomBytes(5)).toUpperCase()}`;
}

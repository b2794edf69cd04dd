// AES-256-GCM for secrets at rest (gateway API secrets, webhook secrets).
// Ciphertext text: "v1.<keyId>.<iv>.<tag>.<data>" (base64url). The key id tells which key sealed it,
// so PAYGATE_ENCRYPTION_OLD_KEYS can still open it during a rotation. The associated data binds a
// ciphertext to its row and field: copying one gateway's secret into another row does not decrypt.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function keyId(key: Buffer): string {
  return createHash('sha256').update('paygate-key-id:').update(key).digest('hex').slice(0, 8);
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: string, associatedData: string): string;
  open(ciphertext: string, associatedData: string): string;
  /** True when the ciphertext was sealed with an old key and should be sealed again. */
  needsReseal(ciphertext: string): boolean;
  /**
   * A keyed HMAC (hex) of a secret, to find it again without storing it (the same card token saved
   * twice). Keyed by the current key: after a rotation the same secret fingerprints differently.
   */
  fingerprint(secret: string, purpose: string): string;
}

export function createSecretBox(currentKey: Buffer, oldKeys: readonly Buffer[] = []): SecretBox {
  for (const k of [currentKey, ...oldKeys]) {
    if (k.length !== 32) throw new Error('encryption keys must be 32 bytes');
  }
  const currentKeyId = keyId(currentKey);
  const keys = new Map<string, Buffer>([[currentKeyId, currentKey], ...oldKeys.map((k) => [keyId(k), k] as [string, Buffer])]);
  const fingerprintKey = createHash('sha256').update('paygate-fingerprint:').update(currentKey).digest();

  return {
    currentKeyId,
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, currentKeyId, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
    },
    open(ciphertext, associatedData) {
      const [version, kid, iv, tag, data] = ciphertext.split('.');
      const key = keys.get(kid ?? '');
      if (version !== VERSION || !iv || !tag || data === undefined) {
        throw new AppError('INTERNAL_SERVER_ERROR', 'stored secret has an unknown format');
      }
      if (!key) {
        throw new AppError('INTERNAL_SERVER_ERROR', `stored secret was sealed with key ${kid}, which is not configured`);
      }
      const ivBytes = Buffer.from(iv, 'base64url');
      const tagBytes = Buffer.from(tag, 'base64url');
      // GCM accepts tags cut short (down to 4 bytes), which makes forging one cheap: only whole ones.
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
        throw new AppError('INTERNAL_SERVER_ERROR', 'stored secret failed authentication');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new AppError('INTERNAL_SERVER_ERROR', 'stored secret failed authentication', { cause });
      }
    },
    needsReseal(ciphertext) {
      return ciphertext.split('.')[1] !== currentKeyId;
    },
    fingerprint(secret, purpose) {
      return createHmac('sha256', fingerprintKey).update(`${purpose}\0${secret}`, 'utf8').digest('hex');
    },
  };
}

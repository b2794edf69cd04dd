import { randomBytes } from 'node:crypto';
import { createSecretBox, keyId } from '../../src/security/secret-box';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.seal('api-secret-value', 'gw_1:apiSecret');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(sealed).not.toContain('api-secret-value');
    expect(box.open(sealed, 'gw_1:apiSecret')).toBe('api-secret-value');
  });

  it('uses a fresh IV every time', () => {
    expect(box.seal('same', 'a')).not.toBe(box.seal('same', 'a'));
  });

  it('binds a ciphertext to its row: another associated data fails', () => {
    const sealed = box.seal('secret', 'gw_1:apiSecret');
    expect(() => box.open(sealed, 'gw_2:apiSecret')).toThrow('failed authentication');
  });

  it('detects tampering', () => {
    const parts = box.seal('secret', 'a').split('.');
    parts[4] = Buffer.from('evil').toString('base64url');
    expect(() => box.open(parts.join('.'), 'a')).toThrow('failed authentication');
  });

  it('refuses a genuine tag cut short (GCM would accept 4 of its 16 bytes) and a wrong-sized IV', () => {
    const parts = box.seal('secret', 'a').split('.');
    for (const bytes of [4, 8, 12, 15]) {
      const cut = [...parts];
      cut[3] = Buffer.from(parts[3], 'base64url').subarray(0, bytes).toString('base64url');
      expect(() => box.open(cut.join('.'), 'a')).toThrow('failed authentication');
    }
    const longIv = [...parts];
    longIv[2] = Buffer.concat([Buffer.from(parts[2], 'base64url'), Buffer.alloc(4)]).toString('base64url');
    expect(() => box.open(longIv.join('.'), 'a')).toThrow('failed authentication');
  });

  it('opens ciphertexts of an old key during a rotation and says they need resealing', () => {
    const oldKey = randomBytes(32);
    const sealed = createSecretBox(oldKey).seal('rotating', 'a');
    expect(() => box.open(sealed, 'a')).toThrow(/not configured/);
    const rotated = createSecretBox(key, [oldKey]);
    expect(rotated.open(sealed, 'a')).toBe('rotating');
    expect(rotated.needsReseal(sealed)).toBe(true);
    expect(rotated.needsReseal(rotated.seal('x', 'a'))).toBe(false);
    expect(keyId(oldKey)).not.toBe(rotated.currentKeyId);
  });

  it('fingerprints a secret with a key of its own: stable, per purpose and per key, never the secret', () => {
    const f = box.fingerprint('tk_card', 'card-token:gw_1');
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(box.fingerprint('tk_card', 'card-token:gw_1')).toBe(f);
    expect(box.fingerprint('tk_card', 'card-token:gw_2')).not.toBe(f);
    expect(box.fingerprint('tk_card2', 'card-token:gw_1')).not.toBe(f);
    expect(createSecretBox(randomBytes(32)).fingerprint('tk_card', 'card-token:gw_1')).not.toBe(f);
  });
});

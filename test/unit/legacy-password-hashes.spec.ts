import { describe, expect, it, jest } from '@jest/globals';
import argon2 from 'argon2';
import { wrapLegacyHash } from '../../migrations/003-wrap-legacy-password-hashes.js';
import {
  isLegacyPasswordHash,
  parseWrappedLegacyHash,
  verifyLegacyPasswordHash,
} from '../../src/modules/users/legacy-password-hashes.js';
import { PasswordHasher } from '../../src/modules/users/password-hasher.js';

/**
 * Made by the libraries a Flask v1 used, for the password "v1-password":
 * werkzeug 3 `generate_password_hash(…, method=…, salt_length=12)` and Python bcrypt `hashpw(…, gensalt(4))`.
 */
const V1_HASHES = {
  pbkdf2_sha256: 'pbkdf2:sha256:1000$9TsDpPhZj3X5$5b7402265edc823948229c34487a0e3be97de228111d167607ecf06fe238a132',
  pbkdf2_sha512:
    'pbkdf2:sha512:2000$5lTUl35O0uuj$1b77ec20bd20f5bccaff1ddcd3956ebd3d2b3f74079b3d88c449df8c513fa5b0d1820928ea118bf0eb252ffba5fce016cfd92199a23fb7e3c94cf85418792d2a',
  scrypt_default:
    'scrypt:32768:8:1$YLWj5WXY8nLdxAZ8$5adf24e15a48b92612dce03c07114b2e7d6b67608594c235c40f5b1d5e80138914cc7c8f16d627514ef285d6bf2f3dc950449c78544bb09649c56409dc9a8fd5',
  bcrypt_2b: '$2b$04$sSZdmjzvU3edThPTXFr.neDglzMUnzrtdUoEOEpGBsoJN1LEXeBTa',
  bcrypt_2a: '$2a$04$jQHF/hbHkTH90BsZlqg4xeKEQ4Y5AZUA9iiOdy.7kY1lYThgfOYv2',
};

describe('v1 password hashes', () => {
  it.each(Object.entries(V1_HASHES))('verifies %s with the right password only', async (_format, hash) => {
    expect(isLegacyPasswordHash(hash)).toBe(true);
    expect(await verifyLegacyPasswordHash(hash, 'v1-password')).toBe(true);
    expect(await verifyLegacyPasswordHash(hash, 'v1-passwore')).toBe(false);
  });

  it('refuses absurd or malformed parameters instead of computing them', async () => {
    for (const hash of [
      'pbkdf2:sha256:99999999$salt$00',
      'pbkdf2:md5:1000$salt$00',
      'scrypt:3:8:1$salt$00',
      'scrypt:4194304:8:1$salt$00',
      'pbkdf2:sha256:1000$salt$zz',
    ]) {
      expect(await verifyLegacyPasswordHash(hash, 'v1-password')).toBe(false);
    }
    expect(isLegacyPasswordHash('$argon2id$v=19$m=19456,t=2,p=1$abc$def')).toBe(false);
  });

  it('lets the hasher verify them, and asks for every one of them to be replaced by argon2id', async () => {
    const hasher = new PasswordHasher();
    expect(await hasher.verify(V1_HASHES.scrypt_default, 'v1-password')).toBe(true);
    expect(await hasher.verify(V1_HASHES.bcrypt_2b, 'wrong')).toBe(false);
    for (const hash of Object.values(V1_HASHES)) expect(hasher.needsRehash(hash)).toBe(true);
    const fresh = await hasher.hash('v1-password');
    expect(hasher.needsRehash(fresh)).toBe(false);
  });

  it('verifies the hashes migration 003 wraps in argon2id, which keep no v1 digest', async () => {
    const hasher = new PasswordHasher();
    for (const hash of Object.values(V1_HASHES)) {
      const wrapped = (await wrapLegacyHash(hash)) as string;
      expect(wrapped).toMatch(/^legacy-argon2id:.+\|\$argon2id\$v=19\$(m=19456,p=1,t=2|m=19456,t=2,p=1)\$/);
      const digest = hash.startsWith('$2') ? hash.slice(29) : (hash.split('$').at(-1) as string);
      expect(wrapped).not.toContain(digest);
      expect(await hasher.verify(wrapped, 'v1-password')).toBe(true);
      expect(await hasher.verify(wrapped, 'v1-passwore')).toBe(false);
      expect(hasher.needsRehash(wrapped)).toBe(true);
    }
    expect(await wrapLegacyHash('$argon2id$v=19$m=19456,t=2,p=1$abc$def')).toBeNull();
  });

  it('refuses wrapped hashes whose settings are absurd or malformed', async () => {
    const hasher = new PasswordHasher();
    const argon = await argon2.hash('00');
    for (const settings of ['pbkdf2:sha256:99999999$salt$32', 'scrypt:3:8:1$salt$64', 'pbkdf2:md5:1$s$16', 'x']) {
      expect(await hasher.verify(`legacy-argon2id:${settings}|${argon}`, 'v1-password')).toBe(false);
    }
    expect(parseWrappedLegacyHash('legacy-argon2id:pbkdf2:sha256:1000$salt$32')).toBeNull();
    expect(parseWrappedLegacyHash('legacy-argon2id:pbkdf2:sha256:1000$salt$32|not-argon')).toBeNull();
  });

  it('costs one argon2id verification with the same parameters on every path: unknown, v2, v1, wrapped v1', async () => {
    const hasher = new PasswordHasher();
    const modern = await hasher.hash('v1-password');
    const wrapped = (await wrapLegacyHash(V1_HASHES.pbkdf2_sha256)) as string;
    const verify = jest.spyOn(argon2, 'verify');
    try {
      const paths: [string | undefined, string][] = [
        [undefined, 'v1-password'],
        [modern, 'v1-password'],
        [modern, 'wrong'],
        [wrapped, 'v1-password'],
        [wrapped, 'wrong'],
        [V1_HASHES.bcrypt_2b, 'v1-password'],
        [V1_HASHES.scrypt_default, 'wrong'],
        ['garbage', 'v1-password'],
        [`legacy-argon2id:scrypt:3:8:1$salt$64|${modern}`, 'x'],
      ];
      for (const [hash, password] of paths) {
        verify.mockClear();
        await hasher.verify(hash, password);
        const parameters = verify.mock.calls.map(([stored]) => argon2Parameters(stored));
        expect({ hash, parameters }).toEqual({ hash, parameters: [argon2Parameters(modern)] });
      }
    } finally {
      verify.mockRestore();
    }
  });
});

/** The algorithm and cost parameters of an encoded argon2 hash (`$argon2id$v=19$m=…,t=…,p=…`). */
function argon2Parameters(encoded: string): string {
  return encoded.split('$').slice(1, 4).join('$');
}

import { pbkdf2, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

/**
 * The password hashes a Flask v1 database is likely to hold, verified so its users can sign in after
 * the migration (and then get argon2id): werkzeug's `pbkdf2:<hash>:<iterations>$<salt>$<hex>` and
 * `scrypt:<n>:<r>:<p>$<salt>$<hex>`, and bcrypt's `$2a$`/`$2b$`/`$2y$`. Parameters come from the
 * stored hash, so absurd ones (a corrupted or planted row) are refused rather than computed.
 */
const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: string,
  length: number,
  options: ScryptOptions,
) => Promise<Buffer>;

const PBKDF2 = /^pbkdf2:(sha1|sha256|sha512):(\d{1,8})\$([^$]+)\$([0-9a-f]+)$/;
const SCRYPT = /^scrypt:(\d{1,8}):(\d{1,3}):(\d{1,3})\$([^$]+)\$([0-9a-f]+)$/;
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

const MAX_PBKDF2_ITERATIONS = 5_000_000;
const MAX_SCRYPT_N = 1 << 20;
const MAX_SCRYPT_R = 32;
const MAX_SCRYPT_P = 16;
/** werkzeug's scrypt key length. */
const SCRYPT_KEY_LENGTH = 64;

/** Whether `hash` is one of the legacy formats above. */
export function isLegacyPasswordHash(hash: string): boolean {
  return PBKDF2.test(hash) || SCRYPT.test(hash) || BCRYPT.test(hash);
}

/** True when `password` matches a legacy `hash`; false for a wrong password or an unusable hash. */
export async function verifyLegacyPasswordHash(hash: string, password: string): Promise<boolean> {
  const pbkdf2Parts = PBKDF2.exec(hash);
  if (pbkdf2Parts) {
    const [, digest, iterations, salt, expected] = pbkdf2Parts;
    if (Number(iterations) < 1 || Number(iterations) > MAX_PBKDF2_ITERATIONS) return false;
    const derived = await pbkdf2Async(password, salt, Number(iterations), expected.length / 2, digest);
    return sameBytes(derived, expected);
  }
  const scryptParts = SCRYPT.exec(hash);
  if (scryptParts) {
    const [, nText, rText, pText, salt, expected] = scryptParts;
    const [n, r, p] = [Number(nText), Number(rText), Number(pText)];
    if (!isPowerOfTwo(n) || n > MAX_SCRYPT_N || r < 1 || r > MAX_SCRYPT_R || p < 1 || p > MAX_SCRYPT_P) return false;
    // werkzeug's memory bound, so every hash it made can be checked here.
    const derived = await scryptAsync(password, salt, SCRYPT_KEY_LENGTH, { N: n, r, p, maxmem: 132 * n * r * p });
    return sameBytes(derived, expected);
  }
  return BCRYPT.test(hash) ? bcrypt.compare(password, hash) : false;
}

function sameBytes(derived: Buffer, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  return expected.length === derived.length && timingSafeEqual(derived, expected);
}

const isPowerOfTwo = (value: number) => value > 1 && (value & (value - 1)) === 0;

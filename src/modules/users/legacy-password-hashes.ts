import { pbkdf2, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

/**
 * The password hashes a Flask v1 database is likely to hold, verified so its users can sign in after
 * the migration (and then get argon2id): werkzeug's `pbkdf2:<hash>:<iterations>$<salt>$<hex>` and
 * `scrypt:<n>:<r>:<p>$<salt>$<hex>`, and bcrypt's `$2a$`/`$2b$`/`$2y$`. Parameters come from the
 * stored hash, so absurd ones (a corrupted or planted row) are refused rather than computed.
 *
 * Migration 003 wraps each of them, so none is weak at rest: it keeps the legacy settings (the
 * algorithm, its parameters and salt: no secret) and replaces the legacy digest by an argon2id hash of
 * it, `legacy-argon2id:<settings>|<argon2id of the legacy digest>`. Verifying a wrapped hash derives
 * the legacy digest from the password with those settings, then checks it with argon2id.
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
const BCRYPT = /^(\$2[aby]\$\d{2}\$[./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

/** The settings a wrapped hash keeps: the legacy hash without its digest, and the digest's length in bytes. */
const PBKDF2_SETTINGS = /^pbkdf2:(sha1|sha256|sha512):(\d{1,8})\$([^$]+)\$(\d{1,3})$/;
const SCRYPT_SETTINGS = /^scrypt:(\d{1,8}):(\d{1,3}):(\d{1,3})\$([^$]+)\$(\d{1,3})$/;
const BCRYPT_SETTINGS = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{22}$/;
export const WRAPPED_PREFIX = 'legacy-argon2id:';

const MAX_PBKDF2_ITERATIONS = 5_000_000;
const MAX_SCRYPT_N = 1 << 20;
const MAX_SCRYPT_R = 32;
const MAX_SCRYPT_P = 16;
/** werkzeug's scrypt key length. */
const SCRYPT_KEY_LENGTH = 64;
const MAX_DIGEST_BYTES = 128;

/** How a password becomes a legacy digest; null when the parameters are unusable. */
type Derive = (password: string) => Promise<string | null>;

/** Whether `hash` is one of the legacy formats above, as v1 stored it. */
export function isLegacyPasswordHash(hash: string): boolean {
  return PBKDF2.test(hash) || SCRYPT.test(hash) || BCRYPT.test(hash);
}

/** Whether `hash` is a legacy hash wrapped in argon2id by migration 003. */
export function isWrappedLegacyPasswordHash(hash: string): boolean {
  return hash.startsWith(WRAPPED_PREFIX);
}

/** True when `password` matches a legacy `hash`; false for a wrong password or an unusable hash. */
export async function verifyLegacyPasswordHash(hash: string, password: string): Promise<boolean> {
  const legacy = parseLegacy(hash);
  const derived = legacy ? await legacy.derive(password) : null;
  return legacy !== null && derived !== null && sameText(derived, legacy.digest);
}

/**
 * A wrapped hash, split: what derives the legacy digest from a password, and the argon2id hash that
 * digest must verify against. Null when it is not a wrapped hash of a known format.
 */
export function parseWrappedLegacyHash(hash: string): { derive: Derive; argon2: string } | null {
  if (!isWrappedLegacyPasswordHash(hash)) return null;
  const separator = hash.lastIndexOf('|');
  if (separator === -1) return null;
  const settings = hash.slice(WRAPPED_PREFIX.length, separator);
  const argon2 = hash.slice(separator + 1);
  const derive = deriverOfSettings(settings);
  return derive && argon2.startsWith('$argon2') ? { derive, argon2 } : null;
}

function parseLegacy(hash: string): { derive: Derive; digest: string } | null {
  const pbkdf2Parts = PBKDF2.exec(hash);
  if (pbkdf2Parts) {
    const [, digest, iterations, salt, expected] = pbkdf2Parts;
    return { derive: pbkdf2Deriver(digest, Number(iterations), salt, expected.length / 2), digest: expected };
  }
  const scryptParts = SCRYPT.exec(hash);
  if (scryptParts) {
    const [, n, r, p, salt, expected] = scryptParts;
    return { derive: scryptDeriver(Number(n), Number(r), Number(p), salt, SCRYPT_KEY_LENGTH), digest: expected };
  }
  const bcryptParts = BCRYPT.exec(hash);
  return bcryptParts ? { derive: bcryptDeriver(bcryptParts[1]), digest: bcryptParts[2] } : null;
}

function deriverOfSettings(settings: string): Derive | null {
  const pbkdf2Parts = PBKDF2_SETTINGS.exec(settings);
  if (pbkdf2Parts) {
    const [, digest, iterations, salt, bytes] = pbkdf2Parts;
    return pbkdf2Deriver(digest, Number(iterations), salt, Number(bytes));
  }
  const scryptParts = SCRYPT_SETTINGS.exec(settings);
  if (scryptParts) {
    const [, n, r, p, salt, bytes] = scryptParts;
    return scryptDeriver(Number(n), Number(r), Number(p), salt, Number(bytes));
  }
  return BCRYPT_SETTINGS.test(settings) ? bcryptDeriver(settings) : null;
}

function pbkdf2Deriver(digest: string, iterations: number, salt: string, bytes: number): Derive {
  return async (password) => {
    if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS || !usableLength(bytes)) return null;
    return (await pbkdf2Async(password, salt, iterations, bytes, digest)).toString('hex');
  };
}

function scryptDeriver(n: number, r: number, p: number, salt: string, bytes: number): Derive {
  return async (password) => {
    if (!isPowerOfTwo(n) || n > MAX_SCRYPT_N || r < 1 || r > MAX_SCRYPT_R || p < 1 || p > MAX_SCRYPT_P) return null;
    if (!usableLength(bytes)) return null;
    // werkzeug's memory bound, so every hash it made can be checked here.
    const derived = await scryptAsync(password, salt, bytes, { N: n, r, p, maxmem: 132 * n * r * p });
    return derived.toString('hex');
  };
}

/** bcrypt's settings are its first 29 characters; the digest is the 31 after them. */
function bcryptDeriver(settings: string): Derive {
  return async (password) => (await bcrypt.hash(password, settings)).slice(settings.length);
}

function sameText(derived: string, expected: string): boolean {
  const [a, b] = [Buffer.from(derived), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

const usableLength = (bytes: number) => Number.isInteger(bytes) && bytes >= 1 && bytes <= MAX_DIGEST_BYTES;
const isPowerOfTwo = (value: number) => value > 1 && (value & (value - 1)) === 0;

import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A constant-time check against a configured secret (admin key, metrics token): hashing first makes
 * both sides the same length, and the secret's digest is computed once.
 */
export function secretMatcher(secret: string): (given: unknown) => boolean {
  const expected = digest(secret);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

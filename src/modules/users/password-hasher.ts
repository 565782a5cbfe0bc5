import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import {
  isLegacyPasswordHash,
  isWrappedLegacyPasswordHash,
  parseWrappedLegacyHash,
  verifyLegacyPasswordHash,
} from './legacy-password-hashes.js';

/** OWASP's minimum argon2id profile (19 MiB, 2 passes): about 25 ms a hash here. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Every verification costs exactly one argon2id verification with today's parameters, whichever path
 * it takes, so an unknown email, a v2 user and a v1 user cannot be told apart by that cost:
 *
 * | stored hash                     | work                                                 |
 * | ------------------------------- | ---------------------------------------------------- |
 * | none (unknown email), or junk   | argon2id against a decoy                             |
 * | argon2id                        | argon2id                                             |
 * | v1, wrapped by migration 003    | the v1 derivation, then argon2id over its digest     |
 * | v1, not wrapped (003 not run)   | the v1 check, then argon2id against the decoy        |
 *
 * What remains different is the v1 derivation itself (its cost is in the v1 hash's own parameters):
 * it lasts until that user's next successful sign-in replaces the hash by a plain argon2id one.
 */
@Injectable()
export class PasswordHasher {
  /** Verified against when there is no argon2id hash to verify, so every path costs one verification. */
  private readonly decoy = argon2.hash('decoy password that nobody has', OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (hash === undefined) return this.decoyVerify(password);
    if (isWrappedLegacyPasswordHash(hash)) {
      const wrapped = parseWrappedLegacyHash(hash);
      const digest = wrapped ? await wrapped.derive(password) : null;
      if (!wrapped || digest === null) return this.decoyVerify(password);
      return argon2.verify(wrapped.argon2, digest).catch(() => false);
    }
    if (isLegacyPasswordHash(hash)) {
      const matches = await verifyLegacyPasswordHash(hash, password);
      await this.decoyVerify(password);
      return matches;
    }
    // A stored value of no known format (a corrupted row) costs what an unknown email costs.
    if (!hash.startsWith('$argon2')) return this.decoyVerify(password);
    return argon2.verify(hash, password).catch(() => false);
  }

  /** True for a hash that is not argon2id with today's parameters: replaced at the next successful login. */
  needsRehash(hash: string): boolean {
    return isLegacyPasswordHash(hash) || isWrappedLegacyPasswordHash(hash) || argon2.needsRehash(hash, OPTIONS);
  }

  /** One argon2id verification that never matches. */
  private async decoyVerify(password: string): Promise<false> {
    await argon2.verify(await this.decoy, password).catch(() => false);
    return false;
  }
}

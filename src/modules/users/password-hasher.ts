import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { isLegacyPasswordHash, verifyLegacyPasswordHash } from './legacy-password-hashes.js';

/** OWASP's minimum argon2id profile (19 MiB, 2 passes): about 25 ms a hash here. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  /** Verified against when the email is unknown, so both failures cost the same time. */
  private readonly decoy = argon2.hash('decoy password that nobody has', OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  /** Verifies argon2 hashes, and the v1 formats of `legacy-password-hashes.ts` until they are replaced. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (hash !== undefined && isLegacyPasswordHash(hash)) return verifyLegacyPasswordHash(hash, password);
    const target = hash ?? (await this.decoy);
    const matches = await argon2.verify(target, password).catch(() => false);
    return matches && hash !== undefined;
  }

  /** True for a hash that is not argon2id with today's parameters: replaced at the next successful login. */
  needsRehash(hash: string): boolean {
    return isLegacyPasswordHash(hash) || argon2.needsRehash(hash, OPTIONS);
  }
}

import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_MARK = 'fbk_';
const PREFIX_LENGTH = 12;

export interface MintedApiKey {
  /** Goes into the creating answer and nowhere else. */
  key: string;
  hash: string;
  prefix: string;
}

/** API key secrets: `fbk_` and 32 random bytes (base64url); stored as their SHA-256 only. */
export const ApiKeySecret = {
  mint(): MintedApiKey {
    const key = `${API_KEY_MARK}${randomBytes(32).toString('base64url')}`;
    return { key, hash: ApiKeySecret.hash(key), prefix: key.slice(0, PREFIX_LENGTH) };
  },

  hash(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  },

  /** Whether a bearer credential is meant as an API key (rather than a JWT). */
  isApiKey(credential: string): boolean {
    return credential.startsWith(API_KEY_MARK);
  },
};

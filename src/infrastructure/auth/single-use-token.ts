import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';
import { isObjectIdHex } from '../database/mongo-values.js';

export interface MintedToken {
  /** Goes into the email and nowhere else. */
  token: string;
  /** What is stored. */
  hash: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Single-use secrets sent by email (invitations, password resets): `<document id>.<256 random bits>`.
 * The id lets the check find its document by `_id` (no index over hashes); only the SHA-256 of the
 * token is stored, so a leaked database holds no usable token.
 */
export const SingleUseToken = {
  mint(documentId: Types.ObjectId): MintedToken {
    const token = `${documentId.toHexString()}.${randomBytes(32).toString('base64url')}`;
    return { token, hash: hashOf(token) };
  },

  /** The id of the document the token belongs to, or null when the token is malformed. */
  documentId(token: string): Types.ObjectId | null {
    const [id, secret] = token.split('.');
    return id && secret && isObjectIdHex(id) ? new Types.ObjectId(id) : null;
  },

  hash: hashOf,

  /** Compares in constant time, so response timing tells nothing about the stored hash. */
  matches(token: string, storedHash: string | undefined): boolean {
    if (!storedHash) return false;
    const actual = Buffer.from(hashOf(token), 'hex');
    const expected = Buffer.from(storedHash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  },
};

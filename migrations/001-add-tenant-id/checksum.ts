/**
 * Why a checksum: `down` must prove that what it puts back is the v1 original byte for byte. `up`
 * sums the backup's documents as it copies them (it reads each one anyway); `down` recomputes the sum
 * over the restored collection and compares.
 */
import { createHash } from 'node:crypto';
import type { MigrationContext } from '../migration.js';

export const CHECKSUM_MODULUS = 1n << 256n;
export const documentHash = (bytes: Uint8Array) => BigInt(`0x${createHash('sha256').update(bytes).digest('hex')}`);

/** How a checksum reads in the state: the count, a colon, the sum as 64 hex digits. */
export const checksumText = (count: number, sum: bigint) => `${count}:${sum.toString(16).padStart(64, '0')}`;

/**
 * A checksum of a collection's documents, independent of their order: the sum of each document's
 * SHA-256 (over its exact BSON bytes) modulo 2^256, with the count. `down` compares it after restoring.
 */
export async function checksum(context: MigrationContext, name: string): Promise<string> {
  let sum = 0n;
  let count = 0;
  const cursor = context.db.collection(name).find({}, { raw: true, batchSize: context.batchSize });
  for await (const bytes of cursor) {
    sum = (sum + documentHash(bytes as unknown as Uint8Array)) % CHECKSUM_MODULUS;
    count += 1;
  }
  return checksumText(count, sum);
}

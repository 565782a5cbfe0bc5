import { Types } from 'mongoose';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** True for the 24 hex digits of an ObjectId (what every `*_id` path parameter and `file_id` is). */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/**
 * An id as the server reads it, for every key derived from one (rate limits, caches): ObjectId hex in
 * lower case, since the parser takes any case and `ABC…` and `abc…` name one document. Anything else
 * is kept as sent: it names nothing (404) and needs no folding.
 */
export function canonicalId(value: string): string {
  return isObjectIdHex(value) ? value.toLowerCase() : value;
}

/** The well-formed ids among `ids` as ObjectIds; malformed ones name nothing and are dropped. */
export function toObjectIds(ids: string[]): Types.ObjectId[] {
  return ids.filter(isObjectIdHex).map((id) => new Types.ObjectId(id));
}

/** The store refused a write because a unique index already holds the value (E11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * The store could not be reached (none selected in time, a connection dropped, the pool cleared):
 * the request is fine and may be repeated once the store is back.
 */
const UNREACHABLE_STORE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

export function isStoreUnreachableError(error: unknown): boolean {
  return error instanceof Error && UNREACHABLE_STORE_ERRORS.has(error.name);
}

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
  // Refused before asking, while the driver knows the store is down (fail-fast.plugin.ts).
  'StoreUnreachableError',
]);

/** A socket's own errors, which the driver lets through unwrapped when a write meets a closed connection. */
const BROKEN_SOCKET_CODES: ReadonlySet<unknown> = new Set(['EPIPE', 'ECONNRESET']);
const DRIVER_CONNECTION_FRAME = /[\\/]mongodb[\\/]lib[\\/]cmap[\\/]/;

export function isStoreUnreachableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNREACHABLE_STORE_ERRORS.has(error.name)) return true;
  // "This socket has been ended by the other party": the store shut down under a command being sent.
  const { code } = error as { code?: unknown };
  return BROKEN_SOCKET_CODES.has(code) && DRIVER_CONNECTION_FRAME.test(error.stack ?? '');
}

/** MongoDB's own "the operation ran out of time" codes: MaxTimeMSExpired, ExceededTimeLimit. */
const TIME_LIMIT_CODES: ReadonlySet<unknown> = new Set([50, 262]);
/** FerretDB on SQLite (the local store) reports a write that waited out SQLite's lock as an InternalError. */
const SQLITE_BUSY = /\bSQLITE_BUSY\b|database is locked/;

/**
 * The store is reachable but could not do the work in time: it ran out of its time limit, the
 * connection pool's wait queue timed out, or (FerretDB on SQLite) a write waited out the database's
 * write lock (10 s) under load. As for an unreachable store, the request is fine and may be repeated.
 */
export function isStoreBusyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MongoWaitQueueTimeoutError') return true;
  const { code } = error as { code?: unknown };
  return TIME_LIMIT_CODES.has(code) || (code === 1 && SQLITE_BUSY.test(error.message));
}

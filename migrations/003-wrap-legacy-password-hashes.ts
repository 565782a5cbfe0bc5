/**
 * Migration 003: no v1 password hash stays weak at rest. Every `users` document whose `password_hash`
 * is still a v1 format (werkzeug `pbkdf2:…`/`scrypt:…`, bcrypt `$2a$`/`$2b$`/`$2y$`: the users who have
 * not signed in since migration 001) gets it wrapped in argon2id:
 *
 *   legacy-argon2id:<settings>|<argon2id of the v1 digest>
 *
 * `<settings>` is the v1 hash without its digest (algorithm, parameters, salt: no secret; for pbkdf2
 * and scrypt, `$<digest bytes>` ends it), so signing in derives the v1 digest from the password and
 * verifies it against the argon2id hash (`src/modules/users/legacy-password-hashes.ts`); the next
 * successful sign-in replaces it by a plain argon2id hash, as for any v1 hash. A hash is replaced only
 * if it is still the one read (a user who signed in meanwhile keeps the new one).
 *
 * `down` cannot give the v1 hashes back: argon2id is one-way, and keeping them would defeat the point.
 * This release verifies wrapped hashes, so nothing needs undoing to stay on it; a rollback to v1
 * (`down 1`) restores `users` byte for byte from migration 001's backup, v1 hashes included, for as
 * long as that backup exists (`migrate finalize 1` drops it).
 *
 * Raw driver access, because it runs across every tenant at once (the plugin scopes one), and because
 * the hash formats and the argon2id parameters are frozen here: the app's will move on, a migration's
 * must not.
 */
import argon2 from 'argon2';
import type { mongo } from 'mongoose';
import type { Migration, MigrationContext, MigrationFigures } from './migration.js';

const USERS = 'users';
const PREFIX = 'legacy-argon2id:';
/** OWASP's minimum argon2id profile, the one the app used when this migration was written. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** argon2 runs on libuv's thread pool (4 threads by default): more at once would only queue. */
const HASHING_AT_ONCE = 4;

const PBKDF2 = /^(pbkdf2:(?:sha1|sha256|sha512):\d{1,8}\$[^$]+\$)([0-9a-f]+)$/;
const SCRYPT = /^(scrypt:\d{1,8}:\d{1,3}:\d{1,3}\$[^$]+\$)([0-9a-f]+)$/;
const BCRYPT = /^(\$2[aby]\$\d{2}\$[./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

interface State {
  /** The last `users` `_id` handled by an interrupted `up`. */
  last_id?: mongo.ObjectId;
  wrapped?: number;
}

interface UserHash {
  _id: mongo.ObjectId;
  password_hash?: unknown;
}

/** The settings and digest of a v1 hash, or null when the value is not one. */
function splitLegacy(hash: unknown): { settings: string; digest: string } | null {
  if (typeof hash !== 'string') return null;
  const hex = PBKDF2.exec(hash) ?? SCRYPT.exec(hash);
  if (hex) return { settings: `${hex[1]}${hex[2].length / 2}`, digest: hex[2] };
  const bcrypt = BCRYPT.exec(hash);
  return bcrypt ? { settings: bcrypt[1], digest: bcrypt[2] } : null;
}

/** The wrapped form of a v1 hash (exported for the unit test that checks the app verifies it). */
export async function wrapLegacyHash(hash: string): Promise<string | null> {
  const legacy = splitLegacy(hash);
  return legacy ? `${PREFIX}${legacy.settings}|${await argon2.hash(legacy.digest, OPTIONS)}` : null;
}

async function wrapBatch(context: MigrationContext, batch: UserHash[]): Promise<number> {
  const users = context.db.collection<UserHash>(USERS);
  let wrapped = 0;
  for (let start = 0; start < batch.length; start += HASHING_AT_ONCE) {
    const slice = batch.slice(start, start + HASHING_AT_ONCE);
    const results = await Promise.all(
      slice.map(async (user) => {
        const next = await wrapLegacyHash(user.password_hash as string);
        if (!next) return 0;
        const { modifiedCount } = await users.updateOne(
          { _id: user._id, password_hash: user.password_hash },
          { $set: { password_hash: next } },
        );
        return modifiedCount;
      }),
    );
    wrapped += results.reduce((sum, count) => sum + count, 0);
  }
  return wrapped;
}

const migration: Migration = {
  description: 'wrap the v1 password hashes (pbkdf2, scrypt, bcrypt) still stored in argon2id',

  async up(context) {
    const names = await context.db.listCollections({ name: USERS }, { nameOnly: true }).toArray();
    if (names.length === 0) return {};
    const state = context.state as State;
    const users = context.db.collection<UserHash>(USERS);
    const filter = state.last_id ? { _id: { $gt: state.last_id } } : {};
    context.progress.start(USERS, await users.countDocuments(filter));
    const figures = { legacy_found: 0, wrapped: state.wrapped ?? 0, not_legacy: 0 };
    let done = 0;
    let batch: UserHash[] = [];
    const flush = async () => {
      if (!context.dryRun && batch.length > 0) {
        figures.wrapped += await wrapBatch(context, batch);
        await context.save({ last_id: batch[batch.length - 1]._id, wrapped: figures.wrapped });
      }
      batch = [];
      await context.progress.advance(USERS, done);
    };
    const cursor = users.find(filter, {
      sort: { _id: 1 },
      projection: { password_hash: 1 },
      batchSize: context.batchSize,
    });
    for await (const user of cursor) {
      done += 1;
      if (splitLegacy(user.password_hash)) {
        figures.legacy_found += 1;
        batch.push(user);
      } else {
        figures.not_legacy += 1;
      }
      if (done % context.batchSize === 0) await flush();
    }
    await flush();
    const result: MigrationFigures = { [USERS]: context.dryRun ? { would_wrap: figures.legacy_found } : figures };
    context.progress.finish(USERS, result[USERS]);
    return result;
  },

  async down(context) {
    const users = context.db.collection<UserHash>(USERS);
    const wrapped = await users.countDocuments({ password_hash: { $regex: `^${PREFIX}` } });
    context.log({
      msg: 'wrapped v1 password hashes stay wrapped: argon2id is one-way. This release verifies them; "down 1" restores the v1 hashes from the backup of migration 001 while it exists',
      wrapped,
    });
    context.progress.start(USERS, wrapped);
    const figures = { kept_wrapped: wrapped, restored: 0 };
    context.progress.finish(USERS, figures);
    return { [USERS]: figures };
  },
};
export default migration;

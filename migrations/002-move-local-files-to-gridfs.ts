/**
 * Migration 002: moves file and export bytes from a process's local disk (`FILE_STORAGE_DIR`, where
 * earlier releases kept them) into the GridFS bucket `blobs` that every API and worker replica shares.
 *
 * For each `files` record whose bytes the bucket lacks and the disk has (`<dir>/<storage_key>`), the
 * bytes are streamed into 255 KiB chunks stamped with the record's tenant, then the bucket's file
 * document is written (what makes the blob visible), then a record whose key was not the current
 * `<tenant_id>/<file_id>` shape (v1 keys such as `v1/12.pdf`) gets that key and keeps its old one in
 * `local_storage_key`. A record whose bytes are on neither side is counted as missing and left alone.
 * The disk files are copied, not deleted: the operator removes the directory once the move is
 * verified, and until then `down` is a pure deletion of what `up` wrote.
 *
 * Raw driver access, because it runs across every tenant at once (the plugin scopes one), and
 * because the chunk layout is frozen here: the schemas will move on, a migration must not.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { mongo } from 'mongoose';
import type { Migration, MigrationContext, MigrationFigures } from './migration.js';

const CHUNK_BYTES = 255 * 1024;
const FILES = 'files';
const BUCKET_FILES = 'blobs.files';
const BUCKET_CHUNKS = 'blobs.chunks';
const PROGRESS_LABEL = 'file bytes to GridFS';

interface State {
  /** The last `files` `_id` handled by an interrupted `up`. */
  last_id?: mongo.ObjectId;
}

interface FileRecord {
  _id: mongo.ObjectId;
  tenant_id?: string;
  storage_key?: string;
  local_storage_key?: string;
}

/** The disk path of a key, or null when the key would lead outside the directory. */
function diskPath(directory: string, key: string): string | null {
  const root = resolve(directory);
  const path = resolve(root, key);
  const inside = relative(root, path);
  return inside && !inside.startsWith(`..${sep}`) && inside !== '..' && !inside.startsWith(sep) ? path : null;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** A chunk's `_id`: `<files_id hex>:<n>`, so that it is read and deleted by `_id` (FerretDB scans otherwise). */
const chunkId = (fileId: mongo.ObjectId, n: number) => `${fileId.toHexString()}:${n}`;

/** Streams a disk file into the bucket; a rerun after a crash rewrites the same chunks (upserts by `_id`). */
async function copyIntoBucket(
  context: MigrationContext,
  record: FileRecord,
  path: string,
  key: string,
): Promise<number> {
  const chunks = context.db.collection<{ _id: string }>(BUCKET_CHUNKS);
  let n = 0;
  let length = 0;
  const put = async (bytes: Buffer) => {
    const chunk = { tenant_id: record.tenant_id, files_id: record._id, n, data: new mongo.Binary(bytes) };
    await chunks.replaceOne({ _id: chunkId(record._id, n) }, chunk, { upsert: true });
    n += 1;
    length += bytes.length;
  };
  let pending = Buffer.alloc(0);
  for await (const piece of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    pending = Buffer.concat([pending, piece as Buffer]);
    while (pending.length >= CHUNK_BYTES) {
      await put(pending.subarray(0, CHUNK_BYTES));
      pending = pending.subarray(CHUNK_BYTES);
    }
  }
  if (pending.length > 0) await put(pending);
  await context.db.collection(BUCKET_FILES).insertOne({
    _id: record._id,
    tenant_id: record.tenant_id,
    length,
    chunkSize: CHUNK_BYTES,
    uploadDate: new Date(),
    filename: key,
  });
  return length;
}

const migration: Migration = {
  description: 'move file and export bytes from the local FILE_STORAGE_DIR into the shared GridFS bucket',

  async up(context) {
    const state = context.state as State;
    const directory = context.settings.fileStorageDir;
    const files = context.db.collection<FileRecord>(FILES);
    const bucket = context.db.collection(BUCKET_FILES);
    const figures = { moved: 0, bytes: 0, already_shared: 0, missing: 0, refused_keys: 0 };
    const filter = state.last_id ? { _id: { $gt: state.last_id } } : {};
    context.progress.start(PROGRESS_LABEL, await files.countDocuments(filter));
    let done = 0;
    const cursor = files.find(filter, { sort: { _id: 1 }, batchSize: context.batchSize });
    for await (const record of cursor) {
      const key = `${record.tenant_id}/${record._id.toHexString()}`;
      const path = record.tenant_id && record.storage_key ? diskPath(directory, record.storage_key) : null;
      if (await bucket.findOne({ _id: record._id }, { projection: { _id: 1 } })) figures.already_shared += 1;
      else if (!path) figures.refused_keys += 1;
      else if (!(await isFile(path))) figures.missing += 1;
      else if (context.dryRun) figures.moved += 1;
      else {
        figures.bytes += await copyIntoBucket(context, record, path, key);
        if (record.storage_key !== key) {
          await files.updateOne(
            { _id: record._id },
            { $set: { storage_key: key, local_storage_key: record.storage_key } },
          );
        }
        figures.moved += 1;
      }
      done += 1;
      if (done % context.batchSize === 0) {
        await context.save({ last_id: record._id });
        await context.progress.advance(PROGRESS_LABEL, done);
      }
    }
    await context.progress.advance(PROGRESS_LABEL, done);
    if (figures.missing > 0) {
      context.log({
        msg: 'files whose bytes are neither on disk nor in GridFS (downloads answer 404)',
        missing: figures.missing,
        directory,
      });
    }
    const result = context.dryRun ? { would_move: figures.moved, missing: figures.missing } : figures;
    context.progress.finish(PROGRESS_LABEL, result);
    return { [PROGRESS_LABEL]: result } satisfies MigrationFigures;
  },

  /**
   * Removes the blobs whose bytes are still on disk (every one `up` moved: it copied) and gives their
   * records back their old keys. Blobs with no disk copy (written after `up`) stay: deleting them
   * would lose the bytes.
   */
  async down(context) {
    const directory = context.settings.fileStorageDir;
    const files = context.db.collection<FileRecord>(FILES);
    const figures = { restored: 0, kept_without_disk_copy: 0 };
    const bucket = context.db
      .collection(BUCKET_FILES)
      .find({}, { projection: { _id: 1, length: 1 }, batchSize: context.batchSize });
    context.progress.start(PROGRESS_LABEL, await context.db.collection(BUCKET_FILES).countDocuments({}));
    for await (const blob of bucket) {
      const record = await files.findOne({ _id: blob._id as mongo.ObjectId });
      const localKey = record?.local_storage_key ?? record?.storage_key;
      const path = localKey ? diskPath(directory, localKey) : null;
      if (!record || !path || !(await isFile(path))) {
        figures.kept_without_disk_copy += 1;
        continue;
      }
      figures.restored += 1;
      if (context.dryRun) continue;
      if (record.local_storage_key) {
        await files.updateOne(
          { _id: record._id },
          { $set: { storage_key: record.local_storage_key }, $unset: { local_storage_key: '' } },
        );
      }
      await context.db.collection(BUCKET_FILES).deleteOne({ _id: record._id });
      const chunks = context.db.collection<{ _id: string }>(BUCKET_CHUNKS);
      for (let n = 0; n < Math.ceil((blob.length as number) / CHUNK_BYTES); n += 1) {
        await chunks.deleteOne({ _id: chunkId(record._id, n) });
      }
    }
    context.progress.finish(PROGRESS_LABEL, figures);
    return { [PROGRESS_LABEL]: figures };
  },
};

export default migration;

/**
 * Migration 001: brings a v1 (single-tenant) database into the multi-tenant world.
 *
 * Every document of the five v1 collections without a `tenant_id` gets `DEFAULT_TENANT_ID` and
 * `migrated_at`; v1 users get `MIGRATION_V1_ROLE` and their email in the stored (lower-case) form;
 * v1 responses get the `dedup_key` the unique index needs; every migrated form gets the response
 * counter its quota reads.
 *
 * Copy and swap, chosen by measurement (README, "Migrations"): each collection is streamed once in
 * `_id` order into `<collection>_migrating_<stamp>` with the new fields, then the original is renamed
 * to `<collection>_backup_<stamp>` (the backup: the untouched original, indexes included) and the copy
 * takes its name. One read and one insert per document on both stores, where updating in place would
 * cost a backup copy plus an update per document, and on the local store a scan per batch.
 *
 * Raw driver access, because the documents have no tenant yet (the tenant plugin cannot see them),
 * backups and checksums must be byte for byte (models would cast and drop fields), and the indexes
 * are this migration's own, frozen here: the schemas will move on, a migration must not.
 */
import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';
import type { CollectionFigures, Migration, MigrationContext, MigrationFigures } from './migration.js';

type Document = mongo.Document;

interface IndexSpec {
  key: Record<string, 1 | -1>;
  unique?: boolean;
}

interface CollectionPlan {
  name: string;
  indexes: IndexSpec[];
  /** The fields of a unique index, as they will read after the migration (for the duplicates check). */
  uniqueKey?: (document: Document, tenantId: string) => string;
  /** What a v1 document of this collection needs besides its tenant. */
  upgrade?: (document: Document, context: MigrationContext) => void;
}

const normalizeEmail = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase() : email);
const text = (value: unknown) => (value instanceof mongo.ObjectId ? value.toHexString() : String(value));

const PLANS: CollectionPlan[] = [
  {
    name: 'users',
    indexes: [{ key: { tenant_id: 1, email: 1 }, unique: true }],
    uniqueKey: (user, tenantId) => `${tenantId} ${text(normalizeEmail(user.email))}`,
    upgrade: (user, context) => {
      user.email = normalizeEmail(user.email);
      user.role ??= context.settings.v1Role;
    },
  },
  {
    name: 'forms',
    indexes: [
      { key: { tenant_id: 1, slug: 1 }, unique: true },
      { key: { tenant_id: 1, created_at: -1, _id: -1 } },
      { key: { tenant_id: 1, status: 1, created_at: -1, _id: -1 } },
    ],
    uniqueKey: (form, tenantId) => `${tenantId} ${text(form.slug)}`,
  },
  {
    name: 'form_versions',
    indexes: [{ key: { tenant_id: 1, form_id: 1, version: -1 }, unique: true }],
    uniqueKey: (version, tenantId) => `${tenantId} ${text(version.form_id)} ${text(version.version)}`,
  },
  {
    name: 'form_responses',
    indexes: [
      { key: { tenant_id: 1, form_id: 1, created_at: -1, _id: -1 } },
      { key: { tenant_id: 1, form_id: 1, dedup_key: 1 }, unique: true },
    ],
    uniqueKey: (response, tenantId) =>
      `${tenantId} ${text(response.form_id)} ${text(response.dedup_key ?? `id:${text(response._id)}`)}`,
    upgrade: (response) => {
      response.dedup_key ??= `id:${text(response._id)}`;
    },
  },
  { name: 'files', indexes: [{ key: { tenant_id: 1, created_at: -1 } }] },
];

type Phase = 'copying' | 'swapped' | 'verified' | 'done' | 'rolled-back';

interface CollectionState {
  phase: Phase;
  backup: string;
  copy: string;
  count_before: number;
  /** Documents of the default tenant before the migration (a mixed database has some). */
  default_tenant_before: number;
  copied: number;
  migrated: number;
  /** The last `_id` copied (v1 ids are ObjectIds). */
  last_id?: mongo.ObjectId;
  /** The checksum's running sum over the documents copied so far (a decimal string). */
  checksum_sum: string;
  checksum?: string;
  indexes?: string[];
}

interface State {
  stamp: string;
  migrated_at: Date;
  collections: Record<string, CollectionState>;
  counters_created?: number;
}

/** How many conflicting keys a duplicates report lists (each with its document ids). */
const REPORTED_CONFLICTS = 20;

const migration: Migration = {
  description: 'add tenant_id to the v1 collections (users, forms, form_versions, form_responses, files)',

  async up(context) {
    const existing = await existingPlans(context);
    if (context.dryRun) return dryRun(context, existing);
    const state = readState(context);
    const surveys = await survey(context, existing, state);
    const figures: MigrationFigures = {};
    for (const plan of existing) {
      figures[plan.name] = await migrateCollection(context, plan, state, surveys.get(plan.name));
    }
    return figures;
  },

  async down(context) {
    const state = context.state as Partial<State>;
    if (!state.collections) throw new Error('migration 001 recorded no state: there is nothing to roll back');
    const collections = Object.entries(state.collections).reverse();
    await refuseMissingBackups(context, collections);
    const figures: MigrationFigures = {};
    for (const [name] of collections) {
      figures[name] = await restoreCollection(context, name, state as State);
    }
    if (!context.dryRun) {
      const { deletedCount } = await context.db.collection('form_counters').deleteMany({ migrated_by: '001' });
      context.log({ msg: 'removed the response counters 001 created', deleted: deletedCount });
    }
    return figures;
  },
};
export default migration;

function readState(context: MigrationContext): State {
  const saved = context.state as Partial<State>;
  return saved.stamp ? (saved as State) : newState();
}

/** The state goes into the migration's record after every step: a rerun resumes from it. */
const save = (context: MigrationContext, state: State) => context.save(state as unknown as Record<string, unknown>);

function newState(): State {
  const now = new Date();
  return { stamp: now.toISOString().replace(/\D/g, '').slice(0, 14), migrated_at: now, collections: {} };
}

async function existingPlans(context: MigrationContext): Promise<CollectionPlan[]> {
  const names = await collectionNames(context);
  const state = context.state as Partial<State>;
  // A collection mid-swap has only its copy and its backup under other names: it still exists.
  return PLANS.filter((plan) => names.has(plan.name) || state.collections?.[plan.name] !== undefined);
}

async function dryRun(context: MigrationContext, plans: CollectionPlan[]): Promise<MigrationFigures> {
  const surveys = await survey(context, plans, newState());
  const figures: MigrationFigures = {};
  for (const [name, { count, withoutTenant }] of surveys) {
    figures[name] = { documents: count, would_migrate: withoutTenant, already_tenanted: count - withoutTenant };
    context.progress.start(name, count);
    context.progress.finish(name, figures[name]);
  }
  return figures;
}

interface Survey {
  count: number;
  defaultTenant: number;
  withoutTenant: number;
  conflicts: string[];
  /** Responses only: how many each form will have in the default tenant (its counter's figure). */
  perForm: Map<string, number>;
}

/**
 * One read of each collection not yet copied, before anything changes: counts its documents (all, and
 * those of the default tenant) and finds the documents that would break a unique index once they
 * carry a tenant (two v1 users whose emails differ only in case, a v1 user and a default-tenant user
 * with one email). Any conflict stops the migration here, naming the documents. Reads only the key
 * fields; keeps only the keys in memory.
 */
async function survey(context: MigrationContext, plans: CollectionPlan[], state: State): Promise<Map<string, Survey>> {
  const toSurvey = plans.filter((plan) => !state.collections[plan.name]);
  // Read side by side: each read keeps one core of the store busy.
  const found = await Promise.all(toSurvey.map((plan) => surveyCollection(context, plan)));
  const surveys = new Map(toSurvey.map((plan, index) => [plan.name, found[index]]));
  const conflicts = found.flatMap((collection) => collection.conflicts);
  if (conflicts.length > 0) {
    throw new Error(
      `documents would break a unique index once migrated; nothing was changed. Resolve these and rerun:\n  ${conflicts.slice(0, REPORTED_CONFLICTS).join('\n  ')}`,
    );
  }
  if (context.dryRun) return surveys;
  for (const [name, { count, defaultTenant }] of surveys) {
    state.collections[name] = {
      phase: 'copying',
      backup: `${name}_backup_${state.stamp}`,
      copy: `${name}_migrating_${state.stamp}`,
      count_before: count,
      default_tenant_before: defaultTenant,
      copied: 0,
      migrated: 0,
      checksum_sum: '0',
    };
  }
  await save(context, state);
  return surveys;
}

async function surveyCollection(context: MigrationContext, plan: CollectionPlan): Promise<Survey> {
  const fields = Object.keys(plan.indexes.find((index) => index.unique)?.key ?? { tenant_id: 1 });
  const projection = Object.fromEntries([...fields, 'tenant_id', 'dedup_key'].map((field) => [field, 1]));
  const firstSeen = new Map<string, unknown[]>();
  const found: Survey = { count: 0, defaultTenant: 0, withoutTenant: 0, conflicts: [], perForm: new Map() };
  const documents = context.db.collection(plan.name).find({}, { projection, batchSize: context.batchSize });
  const defaultTenant = context.settings.defaultTenantId;
  for await (const document of documents) {
    const tenant = (document.tenant_id as string | null | undefined) ?? null;
    found.count += 1;
    if (tenant === defaultTenant) found.defaultTenant += 1;
    if (tenant === null) found.withoutTenant += 1;
    if (plan.name === 'form_responses' && (tenant ?? defaultTenant) === defaultTenant) {
      const form = text(document.form_id);
      found.perForm.set(form, (found.perForm.get(form) ?? 0) + 1);
    }
    if (!plan.uniqueKey) continue;
    const key = plan.uniqueKey(document, tenant ?? defaultTenant);
    const ids = firstSeen.get(key);
    if (ids) ids.push(document._id);
    else firstSeen.set(key, [document._id]);
  }
  for (const [key, ids] of firstSeen) {
    if (ids.length > 1)
      found.conflicts.push(`${plan.name} (${fields.join(', ')}) "${key}": ${ids.map(text).join(', ')}`);
  }
  return found;
}

async function migrateCollection(
  context: MigrationContext,
  plan: CollectionPlan,
  state: State,
  surveyed: Survey | undefined,
): Promise<CollectionFigures> {
  const progress = state.collections[plan.name];
  context.progress.start(plan.name, progress.count_before);
  if (progress.phase === 'copying') {
    await copyWithTenant(context, plan, state, progress);
    await swap(context, plan.name, progress);
    progress.checksum = `${progress.count_before}:${BigInt(progress.checksum_sum).toString(16).padStart(64, '0')}`;
    progress.phase = 'swapped';
    await save(context, state);
  }
  if (progress.phase === 'swapped') {
    await verify(context, plan.name, progress);
    if (plan.name === 'form_responses') {
      const perForm = surveyed?.perForm ?? (await responsesPerForm(context));
      state.counters_created = await createResponseCounters(context, perForm);
    }
    progress.phase = 'verified';
    await save(context, state);
  }
  if (progress.phase === 'verified') {
    progress.indexes = await createIndexes(context, plan);
    progress.phase = 'done';
    await save(context, state);
  }
  const figures = {
    before: progress.count_before,
    migrated: progress.migrated,
    already_tenanted: progress.count_before - progress.migrated,
    backup: progress.backup,
    checksum: (progress.checksum ?? '').slice(0, 12),
  };
  context.progress.finish(plan.name, figures);
  return figures;
}

/**
 * Streams the collection in `_id` order into the copy, a batch at a time, and adds each document's
 * bytes to the checksum on the way (the original becomes the backup unchanged, so this is the backup's
 * checksum). After each batch it saves where it got to and the checksum so far: a rerun resumes after
 * the last saved `_id`. A batch inserted but not yet saved is inserted again and its documents are
 * refused as duplicates, so nothing is copied twice. The next batch is read while one is written.
 */
async function copyWithTenant(
  context: MigrationContext,
  plan: CollectionPlan,
  state: State,
  progress: CollectionState,
): Promise<void> {
  const copy = context.db.collection(progress.copy);
  const filter: mongo.Filter<Document> = progress.last_id === undefined ? {} : { _id: { $gt: progress.last_id } };
  const cursor = context.db
    .collection(plan.name)
    .find(filter, { sort: { _id: 1 }, batchSize: context.batchSize, raw: true });
  let batch: Document[] = [];
  let migrated = 0;
  let sum = BigInt(progress.checksum_sum);
  let writing: Promise<void> = Promise.resolve();
  const flush = async (documents: Document[], migratedInBatch: number, sumAfter: bigint) => {
    await insertIgnoringDuplicates(copy, documents);
    progress.copied += documents.length;
    progress.migrated += migratedInBatch;
    progress.last_id = documents[documents.length - 1]._id as mongo.ObjectId;
    progress.checksum_sum = sumAfter.toString();
    await save(context, state);
    await context.progress.advance(plan.name, progress.copied);
  };
  for await (const bytes of cursor) {
    sum = (sum + documentHash(bytes as unknown as Uint8Array)) % CHECKSUM_MODULUS;
    // Values keep their BSON types (an Int64 stays one, a double 1.0 stays a double).
    const document = mongo.BSON.deserialize(bytes as unknown as Uint8Array, { promoteValues: false, bsonRegExp: true });
    if (document.tenant_id == null) {
      document.tenant_id = context.settings.defaultTenantId;
      document.migrated_at = state.migrated_at;
      plan.upgrade?.(document, context);
      migrated += 1;
    }
    batch.push(document);
    if (batch.length >= context.batchSize) {
      await writing;
      writing = flush(batch, migrated, sum);
      // Awaited before the next batch is written; until then its failure must not count as unhandled.
      writing.catch(() => undefined);
      batch = [];
      migrated = 0;
    }
  }
  await writing;
  if (batch.length > 0) await flush(batch, migrated, sum);
}

/** Inserts the documents, skipping those whose `_id` is there already; answers how many were new. */
async function insertIgnoringDuplicates(collection: mongo.Collection, documents: Document[]): Promise<number> {
  try {
    return (await collection.insertMany(documents, { ordered: false })).insertedCount;
  } catch (error) {
    const { writeErrors, insertedCount } = error as mongo.MongoBulkWriteError;
    const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (errors.length === 0 || errors.some((writeError) => writeError.code !== 11000)) throw error;
    return insertedCount;
  }
}

/**
 * The original becomes the backup and the copy takes its name. Each rename is one atomic step; a rerun
 * after a crash between them finds the backup already there and finishes the second.
 */
async function swap(context: MigrationContext, name: string, progress: CollectionState): Promise<void> {
  const names = await collectionNames(context);
  // An empty v1 collection leaves no copy behind (nothing was inserted): the copy is an empty collection.
  if (!names.has(progress.copy) && !names.has(progress.backup)) {
    await context.db.createCollection(progress.copy);
    names.add(progress.copy);
  }
  if (names.has(name) && !names.has(progress.backup)) await context.db.renameCollection(name, progress.backup);
  if (names.has(progress.copy)) await context.db.renameCollection(progress.copy, name);
}

/**
 * Count before = count after; default-tenant documents = migrated + those that already had it; none
 * left without a tenant. One pass over the migrated collection, grouped by tenant.
 */
async function verify(context: MigrationContext, name: string, progress: CollectionState): Promise<void> {
  const groups = context.db
    .collection(name)
    .aggregate<{ _id: string | null; n: number }>([{ $group: { _id: '$tenant_id', n: { $sum: 1 } } }]);
  let after = 0;
  let defaultTenant = 0;
  let withoutTenant = 0;
  for await (const { _id, n } of groups) {
    after += n;
    if (_id == null) withoutTenant += n;
    if (_id === context.settings.defaultTenantId) defaultTenant += n;
  }
  const expectedDefault = progress.migrated + progress.default_tenant_before;
  const problems = [
    after !== progress.count_before && `${after} documents after, ${progress.count_before} before`,
    defaultTenant !== expectedDefault &&
      `${defaultTenant} documents of tenant "${context.settings.defaultTenantId}", expected ${expectedDefault} (${progress.migrated} migrated + ${progress.default_tenant_before} already)`,
    withoutTenant !== 0 && `${withoutTenant} documents still without tenant_id`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `verification of ${name} failed: ${problems.join('; ')}. The original is untouched in ${progress.backup}; "migrate down 1" restores it`,
    );
  }
}

/**
 * The default tenant's responses per form, read from the migrated collection: only a run resumed after
 * the survey needs it (the survey counted them otherwise). Counted here rather than grouped by the
 * store: the local store groups by many keys very slowly.
 */
async function responsesPerForm(context: MigrationContext): Promise<Map<string, number>> {
  const perForm = new Map<string, number>();
  const responses = context.db
    .collection('form_responses')
    .find(
      { tenant_id: context.settings.defaultTenantId },
      { projection: { form_id: 1 }, batchSize: context.batchSize },
    );
  for await (const { form_id } of responses) perForm.set(text(form_id), (perForm.get(text(form_id)) ?? 0) + 1);
  return perForm;
}

const CHECKSUM_MODULUS = 1n << 256n;
const documentHash = (bytes: Uint8Array) => BigInt(`0x${createHash('sha256').update(bytes).digest('hex')}`);

/**
 * A checksum of a collection's documents, independent of their order: the sum of each document's
 * SHA-256 (over its exact BSON bytes) modulo 2^256, with the count. `down` compares it after restoring.
 */
async function checksum(context: MigrationContext, name: string): Promise<string> {
  let sum = 0n;
  let count = 0;
  const cursor = context.db.collection(name).find({}, { raw: true, batchSize: context.batchSize });
  for await (const bytes of cursor) {
    sum = (sum + documentHash(bytes as unknown as Uint8Array)) % CHECKSUM_MODULUS;
    count += 1;
  }
  return `${count}:${sum.toString(16).padStart(64, '0')}`;
}

async function createIndexes(context: MigrationContext, plan: CollectionPlan): Promise<string[]> {
  const collection = context.db.collection(plan.name);
  const created: string[] = [];
  for (const index of plan.indexes) {
    created.push(await collection.createIndex(index.key, { unique: index.unique ?? false }));
  }
  return created;
}

/**
 * Every migrated form gets the counter its response quota reads, holding its v1 responses. Inserted,
 * and a counter that exists already is kept (refused as a duplicate): on the local store an upsert
 * looks its key up by scanning the collection.
 */
async function createResponseCounters(
  context: MigrationContext,
  responsesPerForm: Map<string, number>,
): Promise<number> {
  const tenantId = context.settings.defaultTenantId;
  const counters = context.db.collection('form_counters');
  let created = 0;
  let batch: Document[] = [];
  const flush = async () => {
    if (batch.length > 0) created += await insertIgnoringDuplicates(counters, batch);
    batch = [];
  };
  const forms = context.db
    .collection('forms')
    .find(
      { tenant_id: tenantId, migrated_at: { $exists: true } },
      { projection: { _id: 1 }, batchSize: context.batchSize },
    );
  for await (const { _id } of forms) {
    batch.push({ _id, tenant_id: tenantId, responses: responsesPerForm.get(text(_id)) ?? 0, migrated_by: '001' });
    if (batch.length >= context.batchSize) await flush();
  }
  await flush();
  context.log({ msg: 'created the response counters of the migrated forms', created });
  return created;
}

async function refuseMissingBackups(
  context: MigrationContext,
  collections: [string, CollectionState][],
): Promise<void> {
  const names = await collectionNames(context);
  const stamp = readState(context).stamp;
  const missing = collections
    .filter(([, collection]) => collection.phase !== 'rolled-back' && !names.has(collection.backup))
    // Already restored by an interrupted rollback, or never renamed away by an interrupted copy.
    .filter(([name]) => !names.has(setAsideName(name, stamp)))
    .filter(([name, collection]) => !(collection.phase === 'copying' && names.has(name)))
    .map(([, collection]) => collection.backup);
  if (missing.length > 0) {
    throw new Error(`cannot roll back: backup ${missing.join(', ')} missing; nothing was changed`);
  }
}

const setAsideName = (name: string, stamp: string) => `${name}_rolledback_${stamp}`;

/**
 * Puts the backup back under the collection's name and proves it byte for byte against the checksum
 * taken at `up`. The migrated collection is kept as `<collection>_rolledback_<stamp>` (with the
 * indexes 001 created): documents written after the migration are in it, for the operator to decide.
 * Every step checks what is there first, so a rollback interrupted anywhere finishes on a rerun.
 */
async function restoreCollection(context: MigrationContext, name: string, state: State): Promise<CollectionFigures> {
  const collection = state.collections[name];
  const setAside = setAsideName(name, state.stamp);
  context.progress.start(name, collection.count_before);
  const figures = { restored: collection.count_before, from: collection.backup, set_aside: setAside };
  if (collection.phase === 'rolled-back' || context.dryRun) {
    context.progress.finish(name, figures);
    return figures;
  }
  const names = await collectionNames(context);
  if (names.has(collection.backup)) {
    if (names.has(name)) await context.db.renameCollection(name, setAside);
    await context.db.renameCollection(collection.backup, name);
  }
  // What an interrupted copy left.
  if (names.has(collection.copy)) await context.db.dropCollection(collection.copy);
  if (collection.checksum && (await checksum(context, name)) !== collection.checksum) {
    throw new Error(`${name} was restored from ${collection.backup} but its checksum differs from the one taken at up`);
  }
  collection.phase = 'rolled-back';
  await save(context, state);
  await context.progress.advance(name, collection.count_before);
  context.progress.finish(name, figures);
  return figures;
}

async function collectionNames(context: MigrationContext): Promise<Set<string>> {
  return new Set((await context.db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name));
}

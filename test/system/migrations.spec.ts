import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import mongoose, { type Connection, mongo } from 'mongoose';
import { LEGACY_PASSWORD, seedLegacy } from '../../scripts/seed-legacy.js';
import { CliModule } from '../../src/cli.module.js';
import { MigrationFinalizer } from '../../src/infrastructure/migrations/migration-finalizer.js';
import { MigrationRunner } from '../../src/infrastructure/migrations/migration-runner.js';
import { V1BackupsService } from '../../src/infrastructure/migrations/v1-backups.service.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { V1BackupsErasureTarget } from '../../src/modules/erasure/v1-backups.target.js';
import { FilesService } from '../../src/modules/files/files.service.js';
import { startNode } from '../support/child-process.js';
import { createE2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

const V1_COLLECTIONS = ['users', 'forms', 'form_versions', 'form_responses', 'files'];

interface CliRun {
  code: number | null;
  stdout: string;
  output: string;
}

/** Runs the real CLI entry point (`node dist/cli.js migrate …`), on this file's database unless told another. */
async function migrate(args: string[], mongoUrl = process.env.MONGO_URL as string): Promise<CliRun> {
  const run = startNode(['dist/cli.js', 'migrate', ...args], { LOG_LEVEL: 'silent', MONGO_URL: mongoUrl });
  const code = await run.exit();
  return { code, stdout: run.stdout(), output: run.output() };
}

/** The CLI as an operator at a terminal runs it: `answer` is typed when it asks. */
async function migrateAnswering(args: string[], answer: string): Promise<CliRun> {
  const child = spawn(process.execPath, ['dist/cli.js', 'migrate', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdin.end(answer);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, output };
}

/** The collections migration 001 left beside the v1 ones (backups, set-aside copies). */
async function leftovers(db: mongo.Db): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name);
  return names.filter((name) => /_(backup|rolledback|migrating)_\d{14}$/.test(name)).sort();
}

/** Every document of every collection, as its exact BSON bytes in `_id` order: equal snapshots are byte-identical. */
async function snapshot(db: mongo.Db, only?: string[]): Promise<Record<string, string[]>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name).sort();
  const result: Record<string, string[]> = {};
  for (const name of names.filter((candidate) => !only || only.includes(candidate))) {
    const documents = await db
      .collection(name)
      .find({}, { raw: true, sort: { _id: 1 } })
      .toArray();
    result[name] = documents.map((bytes) => Buffer.from(bytes as unknown as Uint8Array).toString('base64'));
  }
  return result;
}

/**
 * The collections' documents with the fields a run stamps with its own time left out, and a wrapped
 * password hash cut to its v1 settings (argon2id salts it afresh on every run).
 */
async function contents(db: mongo.Db, names: string[]): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const name of names) {
    const documents = await db
      .collection(name)
      .find({}, { sort: { _id: 1 }, projection: { migrated_at: 0 } })
      .toArray();
    result[name] = documents.map((document) =>
      typeof document.password_hash === 'string'
        ? { ...document, password_hash: document.password_hash.split('|')[0] }
        : document,
    );
  }
  return result;
}

async function copyDatabase(from: mongo.Db, to: mongo.Db): Promise<void> {
  for (const name of V1_COLLECTIONS) {
    const documents = await from.collection(name).find({}, { promoteValues: false }).toArray();
    if (documents.length > 0) await to.collection(name).insertMany(documents);
  }
}

describe('migrations: the runner and migration 001 on a seeded v1 database', () => {
  let connection: Connection;
  let db: mongo.Db;

  beforeAll(async () => {
    useTestEnvironment('migrations', { MIGRATION_BATCH_SIZE: '40' });
    connection = await mongoose.createConnection(process.env.MONGO_URL as string).asPromise();
    db = connection.db as mongo.Db;
  });

  beforeEach(async () => {
    await db.dropDatabase();
  });

  afterAll(async () => {
    await db.dropDatabase();
    await connection.close();
  });

  it('lists the migrations as pending on a new database', async () => {
    const status = await migrate(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/001-add-tenant-id.*pending/);
  });

  it('writes nothing on a dry run, and counts what it would migrate', async () => {
    const seeded = await seedLegacy(db, { docs: 300 });
    const before = await snapshot(db);

    const dryRun = await migrate(['up', '--dry-run']);

    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('dry run, nothing written: 001-add-tenant-id');
    const done = dryRun.stdout
      .split('\n')
      .filter((line) => line.startsWith('{"migration"'))
      .map(
        (line) =>
          JSON.parse(line) as { migration: string; collection?: string; event?: string; would_migrate?: number },
      )
      .filter((line) => line.event === 'done' && line.migration === '001-add-tenant-id');
    expect(Object.fromEntries(done.map((line) => [line.collection, line.would_migrate]))).toEqual(seeded);
    expect(await snapshot(db)).toEqual(before);
  });

  it('migrates every document, then the app serves the v1 forms and responses to a v1 user with a v1 password', async () => {
    const seeded = await seedLegacy(db, { docs: 400 });
    const original = await snapshot(db, V1_COLLECTIONS);

    const up = await migrate(['up']);

    expect(up.output).toContain('done: 001-add-tenant-id');
    expect(up.code).toBe(0);
    for (const name of V1_COLLECTIONS) {
      const collection = db.collection(name);
      expect(await collection.countDocuments({})).toBe(seeded[name as keyof typeof seeded]);
      expect(await collection.countDocuments({ tenant_id: 'default', migrated_at: { $type: 'date' } })).toBe(
        seeded[name as keyof typeof seeded],
      );
    }
    expect(await db.collection('users').countDocuments({ role: 'editor' })).toBe(seeded.users);
    expect(await db.collection('users').countDocuments({ email: /[A-Z]/ })).toBe(0);
    // No v1 hash is left weak at rest (003), but 001's backup keeps the originals until `finalize 1`.
    expect(await db.collection('users').countDocuments({ password_hash: /^legacy-argon2id:/ })).toBe(seeded.users);
    const record = await db.collection('migrations').findOne({ _id: 1 as never });
    expect(record).toMatchObject({ name: 'add-tenant-id', status: 'applied', error: null });
    const backups = (record?.state as { collections: Record<string, { backup: string }> }).collections;
    for (const name of V1_COLLECTIONS) {
      expect(await snapshot(db, [backups[name].backup])).toEqual({ [backups[name].backup]: original[name] });
    }
    expect(await migrate(['status'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/001-add-tenant-id.*applied/),
    });

    const migrated = await snapshot(db);
    const again = await migrate(['up']);
    expect(again).toMatchObject({ code: 0, stdout: 'nothing to do: no migration is pending\n' });
    expect(await snapshot(db)).toEqual(migrated);

    const api = await createE2eApp();
    try {
      const login = await api.http
        .post('/api/v1/auth/login')
        .send({ email: 'User0@Example.com', password: LEGACY_PASSWORD })
        .expect(200);
      const headers = { authorization: `Bearer ${login.body.access_token as string}` };
      const forms = await api.http.get('/api/v1/forms?limit=100').set(headers).expect(200);
      expect(forms.body.data).toHaveLength(seeded.forms);
      const published = await db.collection('forms').findOne({ status: 'published' });
      const formId = (published?._id as mongo.ObjectId).toHexString();
      const stored = await db.collection('form_responses').countDocuments({ form_id: published?._id });
      const responses = await api.http.get(`/api/v1/forms/${formId}/responses?limit=100`).set(headers).expect(200);
      expect(responses.body.data).toHaveLength(stored);
      await api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .send({ data: { name: 'After the migration', email: 'new@example.org' } })
        .expect(201);
    } finally {
      await api.app.close();
    }
  }, 60_000);

  it('wraps every v1 password hash in argon2id (003): none stays weak at rest, v1 users still sign in', async () => {
    await seedLegacy(db, { docs: 150 });
    const v1 = await db
      .collection('users')
      .find({}, { sort: { _id: 1 }, projection: { password_hash: 1 } })
      .toArray();
    expect(v1.map((user) => String(user.password_hash).slice(0, 7))).toEqual(['pbkdf2:', 'scrypt:', '$2b$10$']);

    const dryRun = await migrate(['up', '--dry-run']);
    expect(dryRun.stdout).toContain(
      '"migration":"003-wrap-legacy-password-hashes","collection":"users","event":"done","would_wrap":3',
    );
    const up = await migrate(['up']);
    expect(up.output).toContain(
      'done: 001-add-tenant-id, 002-move-local-files-to-gridfs, 003-wrap-legacy-password-hashes',
    );

    const hashes = async () =>
      (
        await db
          .collection('users')
          .find({}, { sort: { _id: 1 } })
          .toArray()
      ).map((user) => String(user.password_hash));
    const wrapped = await hashes();
    wrapped.forEach((hash, index) => {
      expect(hash).toMatch(/^legacy-argon2id:[^|]+\|\$argon2id\$/);
      const v1Hash = String(v1[index].password_hash);
      const v1Digest = v1Hash.startsWith('$2') ? v1Hash.slice(29) : (v1Hash.split('$').at(-1) as string);
      expect(hash).not.toContain(v1Digest);
    });

    // down 3 cannot unwrap (argon2id is one-way) and says so; up 3 again changes nothing.
    const down = await migrate(['down', '3']);
    expect(down.code).toBe(0);
    expect(down.output).toContain('wrapped v1 password hashes stay wrapped: argon2id is one-way');
    expect(await hashes()).toEqual(wrapped);
    expect((await migrate(['up'])).output).toContain('done: 003-wrap-legacy-password-hashes');
    expect(await hashes()).toEqual(wrapped);

    const api = await createE2eApp();
    try {
      const login = (email: string, password: string) => api.http.post('/api/v1/auth/login').send({ email, password });
      for (const email of ['user0@example.com', 'user1@example.com', 'user2@example.com']) {
        const refused = await login(email, 'not-the-v1-password');
        expect([refused.status, refused.body.error]).toEqual([401, 'invalid_credentials']);
        await login(email, LEGACY_PASSWORD).expect(200);
      }
    } finally {
      await api.app.close();
    }
    // Each sign-in replaced the wrapped hash by a plain argon2id one.
    expect((await hashes()).every((hash) => hash.startsWith('$argon2id$'))).toBe(true);
  }, 90_000);

  it('rolls back with down 1: every v1 collection byte-identical to before, the migrated ones set aside', async () => {
    await seedLegacy(db, { docs: 200 });
    const original = await snapshot(db, V1_COLLECTIONS);
    expect((await migrate(['up'])).code).toBe(0);

    const dryRun = await migrate(['down', '1', '--dry-run']);
    expect(dryRun.code).toBe(0);
    expect(await db.collection('form_responses').countDocuments({ tenant_id: 'default' })).toBeGreaterThan(0);

    const down = await migrate(['down', '1']);

    expect(down.output).toContain(
      'done: 003-wrap-legacy-password-hashes, 002-move-local-files-to-gridfs, 001-add-tenant-id',
    );
    expect(await snapshot(db, V1_COLLECTIONS)).toEqual(original);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name);
    expect(names.filter((name) => name.includes('_rolledback_')).sort()).toHaveLength(V1_COLLECTIONS.length);
    expect(await db.collection('form_counters').countDocuments({})).toBe(0);
    expect(await migrate(['status'])).toMatchObject({ stdout: expect.stringMatching(/rolled-back/) });

    // Applied again after a rollback, it starts from scratch.
    expect((await migrate(['up'])).code).toBe(0);
    expect(await db.collection('users').countDocuments({ tenant_id: null })).toBe(0);

    // Finalized without a question (--yes): the backups of this run and the set-aside copies of the last go.
    expect(await leftovers(db)).toHaveLength(2 * V1_COLLECTIONS.length);
    const finalized = await migrate(['finalize', '1', '--yes']);
    expect(finalized.code).toBe(0);
    expect(finalized.stdout).toContain(
      `done: finalized 001-add-tenant-id (down 1 is no longer possible); dropped ${2 * V1_COLLECTIONS.length} collections`,
    );
    expect(await leftovers(db)).toEqual([]);
  }, 90_000);

  it('finalizes 001 once the operator confirms: its backups go, and down 1 is refused from then on', async () => {
    await seedLegacy(db, { docs: 100 });
    expect((await migrate(['up'])).code).toBe(0);
    const kept = await leftovers(db);
    expect(kept.map((name) => name.replace(/_\d{14}$/, ''))).toEqual(
      [...V1_COLLECTIONS].sort().map((name) => `${name}_backup`),
    );

    const dryRun = await migrate(['finalize', '1', '--dry-run']);
    expect(dryRun.code).toBe(0);
    for (const name of kept) expect(dryRun.stdout).toContain(name);
    expect(dryRun.stdout).toContain(`dry run, nothing dropped: ${kept.length} collections would go`);
    expect(await leftovers(db)).toEqual(kept);

    for (const answer of ['', 'yes\n']) {
      const refused = await migrateAnswering(['finalize', '1'], answer);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('Type "finalize" to confirm');
      expect(refused.output).toContain('migrate failed: not confirmed: nothing was dropped');
      expect(await leftovers(db)).toEqual(kept);
    }

    const done = await migrateAnswering(['finalize', '1'], 'finalize\n');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`dropped ${kept.length} collections: ${kept.join(', ')}`);
    expect(await leftovers(db)).toEqual([]);
    expect((await migrate(['status'])).stdout).toMatch(/001-add-tenant-id.*applied \(finalized\)/);
    const record = await db.collection('migrations').findOne({ _id: 1 as never });
    expect(record?.finalized).toEqual(kept);

    const before = await snapshot(db);
    const down = await migrate(['down', '1']);
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/migrate failed: migration 1 was finalized on \S+: what its rollback needed is gone/);
    expect(await snapshot(db)).toEqual(before);

    expect(await migrate(['finalize', '2'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('migration 002-move-local-files-to-gridfs keeps nothing for its rollback'),
    });
    const again = await migrate(['finalize', '1', '--yes']);
    expect(again.stdout).toContain('keeps no collection any more');
    expect(again.stdout).toContain('dropped 0 collections');
  }, 60_000);

  it('refuses to finalize a migration that is not applied', async () => {
    await seedLegacy(db, { docs: 50 });
    expect(await migrate(['finalize', '1', '--yes'])).toMatchObject({
      code: 1,
      output: 'migrate failed: migration 001-add-tenant-id is pending: only an applied migration is finalized\n',
    });
    expect(await migrate(['finalize', '9'])).toMatchObject({
      code: 1,
      output: 'migrate failed: there is no migration 9\n',
    });
  });

  it('erases a response, documents and a whole tenant from 001’s backups while they exist, of that tenant only', async () => {
    await seedLegacy(db, { docs: 200 });
    expect((await migrate(['up'])).code).toBe(0);
    expect((await migrate(['down', '1'])).code).toBe(0);
    expect((await migrate(['up'])).code).toBe(0);
    // The v1 originals (no tenant: the default tenant's) and the copies `down 1` set aside (with it).
    const kept = await leftovers(db);
    const responseCopies = kept.filter((name) => name.startsWith('form_responses_'));
    expect(responseCopies.map((name) => name.replace(/_\d{14}$/, ''))).toEqual([
      'form_responses_backup',
      'form_responses_rolledback',
    ]);
    const [response, other] = await db.collection('form_responses').find({}).limit(2).toArray();
    const [file] = await db.collection('files').find({}).limit(1).toArray();
    const foreign = { _id: new mongo.ObjectId(), tenant_id: 'acme', data: { secret: 'of acme' } };
    await db.collection(responseCopies[0]).insertOne(foreign);
    const copiesOf = async (id: mongo.ObjectId, of = kept) => {
      let count = 0;
      for (const name of of) count += await db.collection(name).countDocuments({ _id: id });
      return count;
    };

    mongoose.set('autoCreate', false);
    mongoose.set('autoIndex', false);
    const context = await NestFactory.createApplicationContext(CliModule, { logger: false });
    try {
      const backups = context.get(V1BackupsService, { strict: false });
      expect(await backups.eraseResponse('acme', response._id)).toBe(0);
      expect(await backups.eraseResponse('default', foreign._id)).toBe(0);
      expect(await copiesOf(response._id)).toBe(2);

      expect(await backups.eraseResponse('default', response._id)).toBe(2);
      expect(await copiesOf(response._id)).toBe(0);
      expect(await copiesOf(other._id)).toBe(2);
      expect(await db.collection('form_responses').countDocuments({ _id: response._id })).toBe(1);
      expect(await backups.eraseDocuments('default', 'files', [file._id])).toBe(2);
      expect(await copiesOf(file._id)).toBe(0);

      // What the erasure module calls for every erased response and removed member (ErasureTarget).
      const target = new V1BackupsErasureTarget(backups);
      const [member] = await db.collection('users').find({}).limit(1).toArray();
      expect(await copiesOf(member._id)).toBe(2);
      await TenantContext.runForTenant('default', async () => {
        expect(await target.eraseResponses([{ _id: other._id, form_id: other.form_id, created_at: new Date() }])).toBe(
          2,
        );
        expect(await target.eraseMember(member._id.toHexString())).toBe(2);
      });
      expect(await copiesOf(other._id)).toBe(0);
      expect(await copiesOf(member._id)).toBe(0);

      expect(await backups.eraseTenant('default')).toBeGreaterThan(0);
      for (const name of kept) {
        expect(await db.collection(name).countDocuments({ $or: [{ tenant_id: 'default' }, { tenant_id: null }] })).toBe(
          0,
        );
      }
      expect(await copiesOf(foreign._id)).toBe(1);
      expect(await backups.eraseTenant('acme')).toBe(1);
      expect(await copiesOf(foreign._id)).toBe(0);

      const finalizer = context.get(MigrationFinalizer, { strict: false });
      expect(await finalizer.finalize(1, await finalizer.plan(1))).toEqual(kept);
      expect(await backups.eraseResponse('default', other._id)).toBe(0);
      await expect(backups.drop(['forms'])).rejects.toThrow('not a collection migration 001 left: forms');
      expect(await db.collection('forms').countDocuments({})).toBeGreaterThan(0);
    } finally {
      await context.close();
      mongoose.set('autoCreate', true);
      mongoose.set('autoIndex', true);
    }
  }, 90_000);

  it('refuses to roll back when a backup is missing, changing nothing', async () => {
    await seedLegacy(db, { docs: 100 });
    expect((await migrate(['up'])).code).toBe(0);
    const record = await db.collection('migrations').findOne({ _id: 1 as never });
    const backup = (record?.state as { collections: Record<string, { backup: string }> }).collections.files.backup;
    await db.dropCollection(backup);
    const before = await snapshot(db);

    const down = await migrate(['down', '1']);

    expect(down.code).toBe(1);
    expect(down.output).toContain(`migrate failed: cannot roll back: backup ${backup} missing; nothing was changed`);
    const after = await snapshot(db);
    delete before.migrations;
    delete after.migrations;
    expect(after).toEqual(before);
  });

  it('stops before any change when documents would break a unique index, naming them', async () => {
    await seedLegacy(db, { docs: 100, withDuplicates: true });
    const before = await snapshot(db, V1_COLLECTIONS);
    const duplicates = await db
      .collection('users')
      .find({ email: /^duplicate@example\.com$/i })
      .toArray();

    const up = await migrate(['up']);

    expect(up.code).toBe(1);
    expect(up.output).toContain('documents would break a unique index once migrated; nothing was changed');
    expect(up.output).toContain(
      `users (tenant_id, email) "default duplicate@example.com": ${duplicates.map(({ _id }) => _id.toHexString()).join(', ')}`,
    );
    expect(up.output).toMatch(/forms \(tenant_id, slug\) "default form-\d+"/);
    expect(await snapshot(db, V1_COLLECTIONS)).toEqual(before);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name);
    expect(names.filter((name) => name.includes('_backup_') || name.includes('_migrating_'))).toEqual([]);
  });

  it('keeps a second runner out, naming the holder; a stale lock is taken over only with --force', async () => {
    await seedLegacy(db, { docs: 50 });
    const locks = db.collection<{ _id: string; holder: string; acquired_at: Date; heartbeat_at: Date }>(
      'migration_lock',
    );
    await locks.insertOne({
      _id: 'migrations',
      holder: 'ops-host pid 4242',
      acquired_at: new Date(),
      heartbeat_at: new Date(),
    });

    const busy = await migrate(['up']);
    expect(busy.code).toBe(1);
    expect(busy.output).toMatch(
      /migrate failed: another migration runner holds the lock: ops-host pid 4242 \(last heartbeat \d+ s ago\)\n/,
    );
    expect(await migrate(['up', '--force'])).toMatchObject({ code: 1 });

    await locks.updateOne({ _id: 'migrations' }, { $set: { heartbeat_at: new Date(Date.now() - 3_600_000) } });
    const stale = await migrate(['up']);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('rerun with --force to take it over');
    expect(await db.collection('users').countDocuments({ tenant_id: 'default' })).toBe(0);

    const forced = await migrate(['up', '--force']);
    expect(forced.code).toBe(0);
    expect(await db.collection('users').countDocuments({ tenant_id: null })).toBe(0);
    expect(await locks.countDocuments({})).toBe(0);
  });

  it('refuses unknown actions and migration numbers in one line', async () => {
    expect(await migrate(['sideways'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('migrate failed: usage: migrate status | up'),
    });
    expect(await migrate(['up', '--to', '7'])).toMatchObject({
      code: 1,
      output: 'migrate failed: there is no migration 7; known: 1, 2, 3\n',
    });
    expect(await migrate(['down', 'x'])).toMatchObject({
      code: 1,
      output: 'migrate failed: a migration number is a whole number from 1, not "x"\n',
    });
  });

  it('ends a run crashed after any batch and rerun exactly like an uninterrupted one, and so does a rollback', async () => {
    await seedLegacy(db, { docs: 400 });
    const original = await snapshot(db, V1_COLLECTIONS);
    const twinUrl = new URL(process.env.MONGO_URL as string);
    twinUrl.pathname = `${twinUrl.pathname}_twin`;
    const twin = connection.useDb(twinUrl.pathname.slice(1)).db as mongo.Db;
    await twin.dropDatabase();
    await copyDatabase(db, twin);

    expect((await migrate(['up'], twinUrl.toString())).code).toBe(0);

    // As the CLI entry point does: starting leaves the database alone.
    mongoose.set('autoCreate', false);
    mongoose.set('autoIndex', false);
    const context = await NestFactory.createApplicationContext(CliModule, { logger: false });
    try {
      const runner = context.get(MigrationRunner);
      const output = { write: () => true } as unknown as NodeJS.WritableStream;
      let batches = 0;
      const crashAfter = (limit: number) => () => {
        batches += 1;
        if (batches === limit) throw new Error(`crash after batch ${limit}`);
      };
      await expect(runner.up({ output, afterBatch: crashAfter(3) })).rejects.toThrow('crash after batch 3');
      await expect(runner.up({ output, afterBatch: crashAfter(9) })).rejects.toThrow('crash after batch 9');
      expect(await runner.status()).toMatchObject([
        { status: 'applying', error: 'crash after batch 9' },
        { status: 'pending' },
        { status: 'pending' },
      ]);
      const finished = await runner.up({ output });
      expect(finished.ran).toEqual([
        '001-add-tenant-id',
        '002-move-local-files-to-gridfs',
        '003-wrap-legacy-password-hashes',
      ]);
      expect(finished.summary.map((row) => row.migrated)).toEqual([8, 12, 20, 340, 20, undefined, undefined]);
      expect(await contents(db, [...V1_COLLECTIONS, 'form_counters'])).toEqual(
        await contents(twin, [...V1_COLLECTIONS, 'form_counters']),
      );

      batches = 0;
      await expect(runner.down(1, { output, afterBatch: crashAfter(2) })).rejects.toThrow('crash after batch 2');
      await expect(runner.up({ output })).rejects.toThrow(
        'migration 1 stopped while being rolled back: finish that first with "migrate down 1"',
      );
      await runner.down(1, { output });
      expect(await snapshot(db, V1_COLLECTIONS)).toEqual(original);
    } finally {
      await context.close();
      mongoose.set('autoCreate', true);
      mongoose.set('autoIndex', true);
    }

    const named = async (database: mongo.Db, part: string) =>
      (await database.listCollections({}, { nameOnly: true }).toArray()).filter(({ name }) => name.includes(part));
    expect(await named(twin, '_backup_')).toHaveLength(V1_COLLECTIONS.length);
    expect(await named(db, '_backup_')).toHaveLength(0);
    expect(await named(db, '_rolledback_')).toHaveLength(V1_COLLECTIONS.length);
    await twin.dropDatabase();
  }, 90_000);
});

describe('migrations: 002 moves file bytes from the local disk into the shared GridFS bucket', () => {
  let connection: Connection;
  let db: mongo.Db;
  let storageDir: string;

  const diskFile = async (key: string, bytes: Buffer) => {
    await mkdir(dirname(join(storageDir, key)), { recursive: true });
    await writeFile(join(storageDir, key), bytes);
  };
  const fileRecord = (tenant_id: string, storage_key: string, id = new mongo.ObjectId()) => ({
    _id: id,
    tenant_id,
    filename: 'cv.pdf',
    content_type: 'application/pdf',
    size: 0,
    storage_key,
    created_at: new Date(),
  });

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'form-backend-local-files-'));
    useTestEnvironment('migration-002', { FILE_STORAGE_DIR: storageDir });
    connection = await mongoose.createConnection(process.env.MONGO_URL as string).asPromise();
    db = connection.db as mongo.Db;
  });

  afterAll(async () => {
    await db.dropDatabase();
    await connection.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('copies every file it finds on disk, gives v1 keys the tenant shape, skips what is missing or escapes the directory, and rolls back', async () => {
    const large = Buffer.alloc(600 * 1024);
    for (let index = 0; index < large.length; index += 1) large[index] = index % 253;
    const current = fileRecord('acme', '');
    current.storage_key = `acme/${current._id.toHexString()}`;
    const legacy = fileRecord('default', 'v1/12.pdf');
    const missing = fileRecord('acme', 'acme/0123456789abcdef01234567');
    const escaping = fileRecord('acme', '../outside.pdf');
    await diskFile(current.storage_key, large);
    await diskFile('v1/12.pdf', Buffer.from('%PDF-1.4 from v1'));
    await writeFile(join(storageDir, '..', 'outside.pdf'), 'not ours');
    // 001 is already applied: these records have their tenant.
    await db.collection('files').insertMany([current, legacy, missing, escaping]);
    const now = new Date();
    await db.collection('migrations').insertOne({
      _id: 1 as never,
      name: 'add-tenant-id',
      status: 'applied',
      started_at: now,
      finished_at: now,
      duration_ms: 0,
      error: null,
    });
    const recordsBefore = await db
      .collection('files')
      .find({}, { sort: { _id: 1 } })
      .toArray();

    const dryRun = await migrate(['up', '--dry-run']);
    expect(dryRun.code).toBe(0);
    expect(await db.collection('blobs.files').countDocuments({})).toBe(0);

    const up = await migrate(['up']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('done: 002-move-local-files-to-gridfs');
    const done = up.stdout
      .split('\n')
      .filter((line) => line.includes('"event":"done"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(done).toEqual([
      expect.objectContaining({ moved: 2, bytes: large.length + 16, already_shared: 0, missing: 1, refused_keys: 1 }),
    ]);

    // The app reads the moved bytes through its own tenant-scoped storage.
    const api = await createE2eApp();
    try {
      const files = api.app.get(FilesService);
      const read = async (tenant: string, id: mongo.ObjectId) =>
        TenantContext.runForTenant(tenant, async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of (await files.open(id)).content) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks);
        });
      expect(Buffer.compare(await read('acme', current._id), large)).toBe(0);
      expect((await read('default', legacy._id)).toString()).toBe('%PDF-1.4 from v1');
      await expect(read('acme', missing._id)).rejects.toMatchObject({ status: 404 });
    } finally {
      await api.app.close();
    }
    expect(await db.collection('files').findOne({ _id: legacy._id })).toMatchObject({
      storage_key: `default/${legacy._id.toHexString()}`,
      local_storage_key: 'v1/12.pdf',
    });
    expect(await db.collection('blobs.chunks').distinct('tenant_id')).toEqual(['acme', 'default']);

    const again = await migrate(['up']);
    expect(again.stdout).toContain('nothing to do');

    const down = await migrate(['down', '2']);
    expect(down.code).toBe(0);
    expect(await db.collection('blobs.files').countDocuments({})).toBe(0);
    expect(await db.collection('blobs.chunks').countDocuments({})).toBe(0);
    expect(
      await db
        .collection('files')
        .find({}, { sort: { _id: 1 } })
        .toArray(),
    ).toEqual(recordsBefore);
  }, 60_000);
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const SOURCE_ROOT = join(process.cwd(), 'src');
/** Raw driver access bypasses the tenant scope plugin; only infrastructure code may use it. */
const ALLOWED = ['src/infrastructure/'];
/**
 * Every way to the driver below the models, one line at a time (a chain broken over lines shows as a
 * line starting with `.collection` or `.db`): a model's or connection's `.collection`, `collection(`
 * calls on a connection or a `Db` (with or without a type argument), `.collections`, `.db`, the
 * client behind a connection, and another database of it.
 */
const RAW_ACCESS = /\.collection\b(?!\s*:)|\bcollection(?:<[^>]*>)?\(|\.collections\b|\.db\b|\bgetClient\(|\.useDb\(/;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('raw collection access', () => {
  it('appears nowhere in src/ outside src/infrastructure/', () => {
    const offenders = sourceFiles(SOURCE_ROOT)
      .map((path) => relative(process.cwd(), path))
      .filter((path) => !ALLOWED.some((prefix) => path.startsWith(prefix)))
      .flatMap((path) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, where: `${path}:${index + 1}` }))
          .filter(({ line }) => RAW_ACCESS.test(line))
          .map(({ where }) => where),
      );
    expect(offenders).toEqual([]);
  });

  it('appears in a migration only when the migration says why it needs it', () => {
    const folder = join(process.cwd(), 'migrations');
    // A migration is a file `NNN-name.ts`, or a folder `NNN-name/` of steps whose `index.ts` has the header.
    const migrations = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => /^\d{3}-/.test(entry.name) && (entry.isDirectory() || entry.name.endsWith('.ts')))
      .map((entry) => {
        const path = join(folder, entry.name);
        const files = entry.isDirectory() ? sourceFiles(path) : [path];
        const header = readFileSync(entry.isDirectory() ? join(path, 'index.ts') : path, 'utf8');
        return { name: entry.name, source: files.map((file) => readFileSync(file, 'utf8')).join('\n'), header };
      });
    expect(migrations.map(({ name }) => name)).toContain('001-add-tenant-id');
    const unexplained = migrations
      .filter(({ source, header }) => RAW_ACCESS.test(source) && !/^ \* Raw driver access, because /m.test(header))
      .map(({ name }) => name);
    expect(unexplained).toEqual([]);
  });

  it('recognises the forms of raw access it bans', () => {
    for (const line of [
      'this.model.collection.insertOne(x)',
      'connection.db.dropDatabase()',
      'db.collection("forms")',
      "this.connection.collection('forms').find({})",
      "connection.collection<Form>('forms')",
      "this.connection.db?.collection('forms')",
      "db.collection<Form>('forms')",
      '  .collection(name)',
      '  .db.dropDatabase()',
      'const { collections } = connection; connection.collections.forms',
      'connection.getClient().db()',
      "connection.useDb('other')",
      'mongoose.connection.db',
    ]) {
      expect({ line, banned: RAW_ACCESS.test(line) }).toEqual({ line, banned: true });
    }
  });

  it('leaves the ordinary use of models and schema options alone', () => {
    for (const line of [
      "@Schema({ collection: 'forms', versionKey: false })",
      'return this.forms.find({ tenant_id }).lean();',
      '// the collection of forms',
      ' * every collection (the registry aside) is swept',
      'const collectionName = this.forms.modelName;',
    ]) {
      expect({ line, banned: RAW_ACCESS.test(line) }).toEqual({ line, banned: false });
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findMigrationFiles } from '../../src/infrastructure/migrations/migration-files.js';

const scratch = mkdtempSync(join(tmpdir(), 'form-backend-migration-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A migrations folder holding these files (a path ending in `/` is an empty folder). */
function folderWith(name: string, paths: string[]): string {
  const folder = join(scratch, name);
  for (const path of paths) {
    if (path.endsWith('/')) mkdirSync(join(folder, path), { recursive: true });
    else {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), '');
    }
  }
  return folder;
}

const listed = async (folder: string) =>
  (await findMigrationFiles(folder)).map(({ number, name }) => `${number} ${name}`);

describe('finding the migrations', () => {
  it('finds the migrations of this repository, 001 a folder of steps, and loads them', async () => {
    const files = await findMigrationFiles(join(process.cwd(), 'migrations'));
    expect(files.map(({ number, name }) => `${number} ${name}`)).toEqual([
      '1 add-tenant-id',
      '2 move-local-files-to-gridfs',
      '3 wrap-legacy-password-hashes',
    ]);
    const first = await files[0].load();
    expect(first.description).toMatch(/^add tenant_id to the v1 collections/);
    expect(typeof first.up).toBe('function');
    expect(typeof first.down).toBe('function');
  });

  it('takes a numbered file or a numbered folder with an index, built or not, and nothing else', async () => {
    const sources = folderWith('sources', [
      '001-steps/index.ts',
      '001-steps/survey.ts',
      '002-single.ts',
      'migration.d.ts',
      '003-declared.d.ts',
      'README.md',
      'helpers/index.ts',
      '004-bare',
    ]);
    expect(await listed(sources)).toEqual(['1 steps', '2 single']);
    const built = folderWith('built', [
      '001-steps/index.js',
      '001-steps/index.js.map',
      '002-single.js',
      '002-single.js.map',
    ]);
    expect(await listed(built)).toEqual(['1 steps', '2 single']);
  });

  it('refuses two migrations with one number, naming both (a file beside a folder left by an older build)', async () => {
    const stale = folderWith('stale', ['001-steps.js', '001-steps/index.js']);
    await expect(findMigrationFiles(stale)).rejects.toThrow(
      /two migrations are numbered 001 in .*: 001-steps and 001-steps\.js/,
    );
  });

  it('refuses a numbered folder without exactly one index', async () => {
    await expect(findMigrationFiles(folderWith('no-index', ['001-steps/survey.ts']))).rejects.toThrow(
      /the migration folder .*001-steps needs exactly one of index\.js, index\.ts; it has 0/,
    );
    await expect(
      findMigrationFiles(folderWith('two-indexes', ['001-steps/index.js', '001-steps/index.ts'])),
    ).rejects.toThrow(/it has 2/);
  });
});

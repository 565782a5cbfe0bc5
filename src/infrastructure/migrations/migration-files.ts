import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Migration } from '../../../migrations/migration.js';

/**
 * A migration found in `migrations/`: a file (`003-wrap-legacy-password-hashes.ts` is number 3, named
 * `wrap-legacy-password-hashes`) or a folder of steps loaded from its `index` (`001-add-tenant-id/` is
 * number 1, named `add-tenant-id`).
 */
export interface MigrationFile {
  number: number;
  name: string;
  load(): Promise<Migration>;
}

/** `NNN-name.ts` (`.js` built), or a folder `NNN-name/`. */
const MIGRATION_NAME = /^(\d{3})-([a-z0-9-]+)(\.(?:js|ts))?$/;
const FOLDER_ENTRIES = ['index.js', 'index.ts'];

/**
 * Where the migrations are: built, this file is `dist/infrastructure/migrations/` and they are
 * compiled to `dist/migrations/` (the image has no sources); under the test runner this file is
 * `src/infrastructure/migrations/` and they are the sources in the top-level `migrations/`.
 */
export function migrationsFolder(): string {
  const running = fileURLToPath(import.meta.url);
  return running.endsWith('.ts')
    ? fileURLToPath(new URL('../../../migrations/', import.meta.url))
    : fileURLToPath(new URL('../../migrations/', import.meta.url));
}

/** Every numbered migration in the folder, in order; two with one number stop the runner. */
export async function findMigrationFiles(folder = migrationsFolder()): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  const seen = new Map<number, string>();
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const match = MIGRATION_NAME.exec(entry.name);
    if (!match || entry.name.endsWith('.d.ts') || (!match[3] && !entry.isDirectory())) continue;
    const number = Number(match[1]);
    if (seen.has(number)) {
      throw new Error(`two migrations are numbered ${match[1]} in ${folder}: ${seen.get(number)} and ${entry.name}`);
    }
    seen.set(number, entry.name);
    const path = match[3] ? join(folder, entry.name) : await folderEntry(join(folder, entry.name));
    const url = pathToFileURL(path).href;
    files.push({
      number,
      name: match[2],
      load: async () => ((await import(url)) as { default: Migration }).default,
    });
  }
  return files;
}

/** A migration that is a folder loads from its one `index` (`.js` built, `.ts` under the test runner). */
async function folderEntry(path: string): Promise<string> {
  const found = (await readdir(path)).filter((name) => FOLDER_ENTRIES.includes(name));
  if (found.length !== 1) {
    throw new Error(
      `the migration folder ${path} needs exactly one of ${FOLDER_ENTRIES.join(', ')}; it has ${found.length}`,
    );
  }
  return join(path, found[0]);
}

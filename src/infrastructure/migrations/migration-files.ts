import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Migration } from '../../../migrations/migration.js';

/** A migration file found in `migrations/`: `001-add-tenant-id.ts` is number 1, named `add-tenant-id`. */
export interface MigrationFile {
  number: number;
  name: string;
  load(): Promise<Migration>;
}

const FILE_NAME = /^(\d{3})-([a-z0-9-]+)\.(?:js|ts)$/;

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

/** Every numbered migration in the folder, in order; two files with one number stop the runner. */
export async function findMigrationFiles(folder = migrationsFolder()): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for (const entry of (await readdir(folder)).sort()) {
    const match = FILE_NAME.exec(entry);
    if (!match || entry.endsWith('.d.ts')) continue;
    const number = Number(match[1]);
    if (files.some((file) => file.number === number)) {
      throw new Error(`two migrations are numbered ${match[1]} in ${folder}`);
    }
    const url = pathToFileURL(join(folder, entry)).href;
    files.push({
      number,
      name: match[2],
      load: async () => ((await import(url)) as { default: Migration }).default,
    });
  }
  return files;
}

import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SOURCE_ROOT = join(process.cwd(), 'src');
/** Raw driver access bypasses the tenant scope plugin; only infrastructure code may use it. */
const ALLOWED = ['src/infrastructure/'];
const RAW_ACCESS = /\.collection\.|Model\.collection\b|connection\.db\b|\bdb\.collection\(/;

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
    const unexplained = readdirSync(folder)
      .filter((name) => /^\d{3}-.*\.ts$/.test(name))
      .filter((name) => {
        const source = readFileSync(join(folder, name), 'utf8');
        return RAW_ACCESS.test(source) && !/^ \* Raw driver access, because /m.test(source);
      });
    expect(unexplained).toEqual([]);
  });

  it('recognises the forms of raw access it bans', () => {
    for (const line of [
      'this.model.collection.insertOne(x)',
      'connection.db.dropDatabase()',
      'db.collection("forms")',
    ]) {
      expect(RAW_ACCESS.test(line)).toBe(true);
    }
  });
});

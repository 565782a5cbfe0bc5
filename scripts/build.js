// `npm run build`: the one build that the tests, the drills, the benchmarks, `npm run start:prod`
// and the image share. It compiles src/ to dist/ and migrations/ to dist/migrations/ with tsc's
// incremental mode, and only when an input changed since the last build (a no-op takes milliseconds).
// It never wipes dist/ (a run in progress may be reading it); it removes only the outputs whose
// source is gone, because the migration runner lists dist/migrations/ and would run a stale file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_STAMP = join(ROOT, 'dist', '.build-stamp');
const INPUTS = [
  'src',
  'migrations',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.migrations.json',
  'package-lock.json',
];
/** Each compiled tree and the source tree it comes from. */
const TREES = [
  { project: 'tsconfig.build.json', source: 'src', output: 'dist', skip: ['migrations'] },
  { project: 'tsconfig.migrations.json', source: 'migrations', output: 'dist/migrations', skip: [] },
];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

function lastBuild() {
  try {
    return statSync(BUILD_STAMP).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every file under `dir`, as paths relative to it, leaving out the top-level folders in `skip`. */
function filesUnder(dir, skip, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    if (entry.isDirectory())
      return prefix === '' && skip.includes(entry.name) ? [] : filesUnder(join(dir, entry.name), [], path);
    return [path];
  });
}

/** Removes `x.js` / `x.js.map` from an output tree when `x.ts` is no longer in its source tree. */
function removeOrphans({ source, output, skip }) {
  const outputDir = join(ROOT, output);
  for (const file of filesUnder(outputDir, skip)) {
    const compiled = file.match(/^(.*)\.js(\.map)?$/);
    if (compiled && !existsSync(join(ROOT, source, `${compiled[1]}.ts`))) rmSync(join(outputDir, file));
  }
}

export function buildIfChanged({ force = false } = {}) {
  if (
    !force &&
    existsSync(BUILD_STAMP) &&
    Math.max(...INPUTS.map((input) => newestChange(join(ROOT, input)))) <= lastBuild()
  ) {
    return false;
  }
  const started = Date.now();
  for (const tree of TREES) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tree.project], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    removeOrphans(tree);
  }
  // Stamped with the time the build began: a change saved during the build triggers the next one.
  writeFileSync(BUILD_STAMP, '');
  utimesSync(BUILD_STAMP, started / 1000, started / 1000);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const built = buildIfChanged({ force: process.argv.includes('--force') });
  process.stderr.write(`[build] ${built ? 'dist/ built' : 'dist/ up to date'}\n`);
}

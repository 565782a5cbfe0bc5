// Plain JavaScript: jest loads global setup outside its module mapping (no `.js` → `.ts`).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startMongoStore, startRedisServer } from './stores.js';

const BUILD_INFO = 'dist/.tsbuildinfo';
const BUILD_INPUTS = [
  'src',
  'migrations',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.migrations.json',
  'package-lock.json',
];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/**
 * Compiles src/ to dist/ and migrations/ to dist/migrations/ (tests start the real entry points), unless
 * nothing changed since the last build.
 */
function buildDistIfChanged() {
  let built = 0;
  try {
    built = statSync(BUILD_INFO).mtimeMs;
  } catch {
    // never built
  }
  if (Math.max(...BUILD_INPUTS.map(newestChange)) <= built) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync('npx', ['tsc', '-p', 'tsconfig.migrations.json'], { stdio: 'inherit' });
}

/**
 * The e2e project's stores: whatever MONGO_URL / REDIS_URL name, otherwise a throwaway FerretDB and
 * Redis of this run (each test file uses its own database and queue prefix on them).
 */
export default async function globalSetup() {
  buildDistIfChanged();
  const started = [];
  if (!process.env.MONGO_URL) {
    const mongo = await startMongoStore();
    process.env.MONGO_URL = mongo.url;
    started.push(mongo);
  }
  if (!process.env.REDIS_URL) {
    const redis = await startRedisServer();
    process.env.REDIS_URL = redis.url;
    started.push(redis);
  }
  globalThis.stopTestStores = () => Promise.all(started.map((store) => store.stop()));
}

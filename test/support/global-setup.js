// Plain JavaScript: jest loads global setup outside its module mapping (no `.js` → `.ts`).
import { startMongoStore, startRedisServer } from '../../harness/stores.js';
import { buildIfChanged } from '../../scripts/build.js';

/**
 * The stores of the tiers that need them: whatever MONGO_URL / REDIS_URL name, otherwise a throwaway
 * MongoDB-compatible store (stores.js says which engine) and Redis of this run (each test file uses its
 * own database and queue prefix on them).
 */
export default async function globalSetup() {
  // Every tier that needs stores names this setup; jest calls it once per such tier, in one process.
  if (globalThis.stopTestStores) return;
  buildIfChanged();
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
  if (started.length > 0) {
    process.stderr.write(
      `[test] started for this run: ${started.map((store) => `${store.name} (${store.url})`).join(', ')}\n`,
    );
  }
  globalThis.stopTestStores = async () => {
    globalThis.stopTestStores = undefined;
    await Promise.all(started.map((store) => store.stop()));
  };
}

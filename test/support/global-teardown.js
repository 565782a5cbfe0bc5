/** Stops the stores global-setup.js started (none when MONGO_URL / REDIS_URL were given). */
export default async function globalTeardown() {
  await globalThis.stopTestStores?.();
}

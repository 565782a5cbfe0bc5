export default async function globalTeardown() {
  await globalThis.__stopMongo?.();
  globalThis.__stopRedis?.();
}

// Plain JavaScript: Jest loads global setup outside its TypeScript transform.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDist } from './build.js';

/**
 * The e2e project's stores. `npm test` starts FerretDB and Redis and passes MONGO_URL / REDIS_URL;
 * without them (a developer running jest directly, with internet) MongoDB comes from
 * mongodb-memory-server and Redis from a local `redis-server` on a free port.
 */
export default async function globalSetup() {
  buildDist();
  if (!process.env.MONGO_URL) {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const mongo = await MongoMemoryServer.create();
    process.env.MONGO_URL = mongo.getUri();
    globalThis.__stopMongo = () => mongo.stop();
  }
  if (!process.env.REDIS_URL) {
    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
      stdio: 'ignore',
    });
    redis.once('error', (error) => {
      throw new Error(`REDIS_URL is not set and redis-server could not start (${error.message})`);
    });
    await sleep(500);
    process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
    globalThis.__stopRedis = () => redis.kill('SIGTERM');
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The header of bench/RESULTS.md: when, on what, against which stores, so that figures can be compared.
import os from 'node:os';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { benchDatabaseUrl } from './load.js';

const connection = await mongoose.createConnection(benchDatabaseUrl('machine')).asPromise();
const build = await connection.db.admin().buildInfo();
await connection.close();
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
redis.disconnect();
const store = build.ferretdbVersion
  ? `FerretDB ${build.ferretdbVersion} (MongoDB ${build.version} wire)`
  : `MongoDB ${build.version}`;

console.log(`# Benchmark results

- date: ${new Date().toISOString()}
- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.platform()} ${os.release()}
- Node.js ${process.version}; store: ${store}; Redis ${redisVersion}
- command: \`npm run bench\`
`);

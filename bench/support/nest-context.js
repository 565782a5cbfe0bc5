// Shared by the benchmarks that call services directly: the app's own modules (built in dist/) on a
// database of the benchmark's own, without HTTP, so a figure is the service's cost and nothing else.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CoreModule } from '../../dist/core.module.js';
import { benchDatabaseUrl } from './load.js';

/** An application context of CoreModule plus `feature`, on the database `bench_<database>`. */
export async function benchContext(database, feature) {
  Object.assign(process.env, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    MONGO_URL: benchDatabaseUrl(database),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: randomBytes(16).toString('hex'),
  });
  class BenchModule {}
  Module({ imports: [CoreModule, feature] })(BenchModule);
  return NestFactory.createApplicationContext(BenchModule, { logger: false });
}

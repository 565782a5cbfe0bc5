import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfigService } from '../config/app-config.service.js';
import { tenantScopePlugin } from '../tenancy/tenant-scope.plugin.js';
import { failFastPlugin } from './fail-fast.plugin.js';
import { MongoAvailability, watchAvailability } from './mongo-availability.js';

/**
 * Fail fast while MongoDB is down (docs/operations.md, "When MongoDB is down"). The driver checks the
 * server every second, so an outage nobody's request ran into yet, and the recovery, are seen within
 * about a second (MongoAvailability). An operation that finds no server waits at most 300 ms
 * for one instead of five: a request caught at the moment of the outage still answers 503 within a
 * second, while a healthy server is selected at once (selection waits only when none is known).
 */
const HEARTBEAT_FREQUENCY_MS = 1_000;
const SERVER_SELECTION_TIMEOUT_MS = 300;

@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        uri: config.mongoUrl,
        serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
        heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
        // Before any model compiles, so every tenant-scoped schema is scoped without opting in, and
        // every model fails at once while the store is known to be down.
        connectionFactory: (connection: Connection) => {
          connection.plugin(tenantScopePlugin);
          watchAvailability(connection);
          connection.plugin(failFastPlugin);
          return connection;
        },
      }),
    }),
  ],
  providers: [MongoAvailability],
  exports: [MongooseModule, MongoAvailability],
})
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfigService } from '../config/app-config.service.js';
import { tenantScopePlugin } from '../tenancy/tenant-scope.plugin.js';

@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        uri: config.mongoUrl,
        serverSelectionTimeoutMS: 5_000,
        // Before any model compiles, so every tenant-scoped schema is scoped without opting in.
        connectionFactory: (connection: Connection) => {
          connection.plugin(tenantScopePlugin);
          return connection;
        },
      }),
    }),
  ],
  exports: [MongooseModule],
})
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfigService } from '../config/app-config.service.js';

@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        uri: config.mongoUrl,
        serverSelectionTimeoutMS: 5_000,
      }),
    }),
  ],
  exports: [MongooseModule],
})
export class DatabaseModule {}

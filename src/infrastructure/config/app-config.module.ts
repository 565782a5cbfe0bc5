import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfigService } from './app-config.service.js';
import { environmentConfig } from './environment.js';

@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      // The entry points load `.env` themselves before Nest starts (see bootstrap/environment.ts).
      ignoreEnvFile: true,
      // Validated when the application is created, not when this file is imported.
      load: [environmentConfig],
    }),
  ],
  providers: [AppConfigService],
  exports: [AppConfigService],
})
export class AppConfigModule {}

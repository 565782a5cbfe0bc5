import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { ApiKey, ApiKeySchema } from './api-key.schema.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * Tenant API keys for machine clients: owners manage them; `ApiKeyVerifier` authenticates them for
 * the tenant guard, which lets a key in wherever a JWT goes.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: ApiKey.name, schema: ApiKeySchema }]), RateLimitModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysRepository, ApiKeysService, ApiKeyVerifier],
  exports: [ApiKeyVerifier],
})
export class ApiKeysModule {}

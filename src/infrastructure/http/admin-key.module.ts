import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { AdminKeyCheck } from './admin-key-check.js';

/** The admin key check behind `AdminKeyGuard` and the queue dashboard; modules with admin routes import it. */
@Module({
  imports: [RateLimitModule],
  providers: [AdminKeyCheck],
  exports: [AdminKeyCheck],
})
export class AdminKeyModule {}

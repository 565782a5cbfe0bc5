import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { FeaturesModule } from './features.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { QueueMonitorModule } from './infrastructure/queue/queue-monitor.module.js';
import { DefaultTenantBootstrap, TenantsModule } from './modules/tenants/index.js';

/** The HTTP API: every feature's routes and queue producers, no processors. */
@Module({
  imports: [CoreModule, HealthModule, TenantsModule, FeaturesModule, QueueMonitorModule],
  providers: [DefaultTenantBootstrap],
})
export class AppModule {}

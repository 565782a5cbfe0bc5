import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { DomainModule } from './domain.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { TasksModule } from './modules/tasks/tasks.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';

/** The HTTP API: controllers and queue producers, no processors. */
@Module({
  imports: [CoreModule, HealthModule, TenantsModule, DomainModule, TasksModule],
})
export class AppModule {}

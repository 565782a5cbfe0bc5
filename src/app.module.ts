import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { AuthModule } from './infrastructure/auth/auth.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { TasksModule } from './modules/tasks/tasks.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';

/** The HTTP API: controllers and queue producers, no processors. */
@Module({
  imports: [CoreModule, AuthModule, HealthModule, TenantsModule, TasksModule],
})
export class AppModule {}

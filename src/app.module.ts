import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { AuthModule } from './infrastructure/auth/auth.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { RateLimitModule } from './infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from './modules/events/events.module.js';
import { FilesModule } from './modules/files/files.module.js';
import { FormsModule } from './modules/forms/forms.module.js';
import { ResponsesModule } from './modules/responses/responses.module.js';
import { TasksModule } from './modules/tasks/tasks.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { UsersModule } from './modules/users/users.module.js';

/** The HTTP API: controllers and queue producers, no processors. */
@Module({
  imports: [
    CoreModule,
    AuthModule,
    HealthModule,
    RateLimitModule,
    EventsModule,
    TenantsModule,
    UsersModule,
    FormsModule,
    FilesModule,
    ResponsesModule,
    TasksModule,
  ],
})
export class AppModule {}

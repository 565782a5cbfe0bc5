import { Module } from '@nestjs/common';
import { CheckCommand } from './cli/check.command.js';
import { InviteCommand } from './cli/invite.command.js';
import { MaintenanceCommand } from './cli/maintenance.command.js';
import { MigrateCommand } from './cli/migrate.command.js';
import { CoreModule } from './core.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { MigrationsModule } from './infrastructure/migrations/migrations.module.js';
import { TenantsModule } from './modules/tenants/index.js';

/** Operator commands (`npm run cli -- <command>`), on the same module graph as the API and worker. */
@Module({
  imports: [CoreModule, HealthModule, TenantsModule, MigrationsModule],
  providers: [CheckCommand, InviteCommand, MaintenanceCommand, MigrateCommand],
})
export class CliModule {}

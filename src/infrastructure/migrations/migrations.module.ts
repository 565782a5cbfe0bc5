import { Module } from '@nestjs/common';
import { MigrationFinalizer } from './migration-finalizer.js';
import { MigrationRunner } from './migration-runner.js';
import { V1BackupsModule } from './v1-backups.module.js';

/** The data migrations of `migrations/`, their runner and finalizer, for the CLI. */
@Module({
  imports: [V1BackupsModule],
  providers: [MigrationRunner, MigrationFinalizer],
  exports: [MigrationRunner, MigrationFinalizer],
})
export class MigrationsModule {}

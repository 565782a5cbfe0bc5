import { Module } from '@nestjs/common';
import { MigrationRunner } from './migration-runner.js';

/** The data migrations of `migrations/` and their runner, for the CLI. */
@Module({ providers: [MigrationRunner], exports: [MigrationRunner] })
export class MigrationsModule {}

import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/index.js';
import { ExportProcessor } from './export.processor.js';
import { ExportsModule } from './exports.module.js';

/** The `export` queue's processor. */
@Module({ imports: [ExportsModule, TenantsModule], providers: [ExportProcessor] })
export class ExportsWorkerModule {}

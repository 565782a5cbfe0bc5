import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/index.js';
import { ErasureSchedules } from './erasure-schedules.js';
import { ErasureModule } from './erasure.module.js';
import { ErasureProcessor } from './erasure.processor.js';

/** The `erasure` queue's processor and its schedules (the worker's only). */
@Module({ imports: [ErasureModule, TenantsModule], providers: [ErasureProcessor, ErasureSchedules] })
export class ErasureWorkerModule {}

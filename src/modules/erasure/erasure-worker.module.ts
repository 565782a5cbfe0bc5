import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ErasureModule } from './erasure.module.js';
import { ErasureProcessor } from './erasure.processor.js';

/** The `erasure` queue's processor. */
@Module({ imports: [ErasureModule, TenantsModule], providers: [ErasureProcessor] })
export class ErasureWorkerModule {}

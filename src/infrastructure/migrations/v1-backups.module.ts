import { Module } from '@nestjs/common';
import { V1BackupsService } from './v1-backups.service.js';

/**
 * The collections migration 001 keeps until `migrate finalize 1`: for erasure (a response's or a
 * tenant's documents must be gone from them too) and for the finalizer.
 */
@Module({ providers: [V1BackupsService], exports: [V1BackupsService] })
export class V1BackupsModule {}

import { Global, Module } from '@nestjs/common';
import { MaintenanceMode } from './maintenance-mode.js';

/** The maintenance flag, read by every entry point (API: 503; worker: paused queues; CLI: sets it). */
@Global()
@Module({ providers: [MaintenanceMode], exports: [MaintenanceMode] })
export class MaintenanceModule {}

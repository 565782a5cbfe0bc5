import { Module } from '@nestjs/common';
import { QueueMonitor } from './queue-monitor.js';

/** Queue depths for /metrics; needs every queue registered (the features register their own). */
@Module({ providers: [QueueMonitor] })
export class QueueMonitorModule {}

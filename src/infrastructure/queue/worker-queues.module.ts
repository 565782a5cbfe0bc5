import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MaintenancePause } from './maintenance-pause.js';
import { WorkerQueues } from './worker-queues.js';

/**
 * The worker's queue workers, started once every queue has exactly one processor, and paused while
 * maintenance mode is on.
 */
@Module({ imports: [DiscoveryModule], providers: [WorkerQueues, MaintenancePause] })
export class WorkerQueuesModule {}

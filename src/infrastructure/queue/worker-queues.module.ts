import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerQueues } from './worker-queues.js';

/** The worker's queue workers, started once every queue has exactly one processor. */
@Module({ imports: [DiscoveryModule], providers: [WorkerQueues] })
export class WorkerQueuesModule {}

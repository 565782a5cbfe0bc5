import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

/** Base of every processor: connection trouble (Redis restarting) is retried by BullMQ and logged here. */
export abstract class LoggedWorkerHost extends WorkerHost {
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    new Logger(this.constructor.name).warn({ msg: 'queue worker error', err: error.message });
  }
}

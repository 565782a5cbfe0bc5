import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Metrics } from '../metrics/metrics.js';

const secondsRun = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;

/**
 * Base of every processor: records each job's duration and outcome for Prometheus, and logs
 * connection trouble (Redis restarting), which BullMQ retries by itself.
 */
export abstract class ObservedWorkerHost extends WorkerHost {
  @Inject(Metrics) private readonly metrics!: Metrics;

  @OnWorkerEvent('completed')
  onCompleted(job: Job): void {
    this.metrics.observeJob(job.queueName, 'completed', secondsRun(job));
    this.metrics.jobFinished(job.queueName, 'completed');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined): void {
    if (!job) return;
    this.metrics.observeJob(job.queueName, 'failed', secondsRun(job));
    // BullMQ sets finishedOn only when the job moves to the failed set: no retry is left.
    if (job.finishedOn) this.metrics.jobFinished(job.queueName, 'failed');
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    new Logger(this.constructor.name).warn({ msg: 'queue worker error', err: error.message });
  }
}

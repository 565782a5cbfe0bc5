import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';

export class JobTimeoutError extends Error {
  constructor(job: Pick<Job, 'id' | 'queueName'>, timeoutMs: number) {
    super(`Job ${job.id} of ${job.queueName} ran longer than ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** Work that does not stop on its signal gets at most this long more before its job fails anyway. */
const MAX_GRACE_MS = 10_000;

export interface JobTimeLimit {
  /** `QUEUE_JOB_TIMEOUT_MS`: when the work's signal fires. */
  timeoutMs: number;
  /** How long after the signal to wait for the work to stop; by default its time limit, at most 10 s. */
  graceMs?: number;
}

const logger = new Logger('JobTimeLimit');

/** The grace of a job whose limit names none: its time limit, at most 10 s. */
function graceOf(limit: JobTimeLimit): number {
  return limit.graceMs ?? Math.min(limit.timeoutMs, MAX_GRACE_MS);
}

/**
 * The longest a job's work can run and still complete its job: its time limit plus the grace. Work
 * that started longer ago has ended, or its job failed (and the work must not record anything then):
 * an erasure waits only for runs younger than this.
 */
export function longestJobRunMs(limit: JobTimeLimit): number {
  return limit.timeoutMs + graceOf(limit);
}

/**
 * Runs one job's work with an `AbortSignal` that fires at the job's time limit. The work stops on it
 * and undoes what it half did (an export removes its partial file) before it rejects; only then does
 * the job fail, with `JobTimeoutError`, and its retry get queued, so two copies of one job never run
 * side by side. Racing a timer without stopping the work, as before, let a slow export run on while
 * its retry started a second copy.
 *
 * Work that has not stopped `graceMs` after the signal (a call nothing can interrupt) is left to end on
 * its own, logged, and the job fails anyway: one stuck call must not hold a worker slot for ever.
 * Work that completes within the grace completes the job: it did all it had to.
 */
export async function runWithTimeLimit<T>(
  job: Pick<Job, 'id' | 'queueName'>,
  limit: JobTimeLimit,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const { signal } = controller;
  const timeout = new JobTimeoutError(job, limit.timeoutMs);
  const graceMs = graceOf(limit);
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      timer = setTimeout(() => {
        logger.warn({ msg: 'job did not stop at its time limit; failed anyway', queue: job.queueName, job_id: job.id });
        reject(timeout);
      }, graceMs);
    }, limit.timeoutMs);
  });
  try {
    return await Promise.race([(async () => work(signal))(), givenUp]);
  } catch (error) {
    // Once the signal fired, what the work threw while stopping (an AbortError, a closed cursor) is the timeout.
    throw signal.aborted ? signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
}

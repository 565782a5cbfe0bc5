import { describe, expect, it } from '@jest/globals';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import {
  applyWorkerDefaults,
  processorQueue,
  queueCoverageProblems,
} from '../../src/infrastructure/queue/worker-queues.js';

@Processor('probe-queue')
class ProbeProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor('probe-queue', { lockDuration: 90_000 })
class SlowProbeProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

/** The options @nestjs/bullmq hands to `new Worker(...)` for a processor class. */
const workerOptionsOf = (type: object) => Reflect.getMetadata('bullmq:worker_metadata', type) as object | undefined;

describe('worker defaults', () => {
  it("gives a processor's worker the configured locks, under the options its @Processor names (pins the key)", () => {
    applyWorkerDefaults(ProbeProcessor, { lockDuration: 2_000, stalledInterval: 1_000 });
    applyWorkerDefaults(SlowProbeProcessor, { lockDuration: 2_000, stalledInterval: 1_000 });

    expect(workerOptionsOf(ProbeProcessor)).toEqual({ lockDuration: 2_000, stalledInterval: 1_000 });
    expect(workerOptionsOf(SlowProbeProcessor)).toEqual({ lockDuration: 90_000, stalledInterval: 1_000 });
  });

  it('lets a later application replace the defaults an earlier one gave', () => {
    applyWorkerDefaults(ProbeProcessor, { lockDuration: 2_000, stalledInterval: 1_000 });
    applyWorkerDefaults(ProbeProcessor, { lockDuration: 30_000, stalledInterval: 30_000 });

    expect(workerOptionsOf(ProbeProcessor)).toEqual({ lockDuration: 30_000, stalledInterval: 30_000 });
  });
});

describe('worker queue coverage', () => {
  it("reads the queue that @nestjs/bullmq's @Processor records (pins its metadata key)", () => {
    expect(processorQueue(ProbeProcessor)).toBe('probe-queue');
    expect(processorQueue(class NotAProcessor {})).toBeUndefined();
    expect(processorQueue(undefined)).toBeUndefined();
  });

  it('accepts exactly one processor per queue', () => {
    expect(
      queueCoverageProblems(
        ['email', 'webhook'],
        [
          { queue: 'email', name: 'EmailProcessor' },
          { queue: 'webhook', name: 'WebhookDeliveryProcessor' },
        ],
      ),
    ).toEqual([]);
  });

  it('names every queue without a processor or with several, and processors of unknown queues', () => {
    expect(
      queueCoverageProblems(
        ['email', 'webhook', 'export'],
        [
          { queue: 'email', name: 'EmailProcessor' },
          { queue: 'email', name: 'OtherEmailProcessor' },
          { queue: 'reports', name: 'ReportProcessor' },
          { queue: 'webhook', name: 'WebhookDeliveryProcessor' },
        ],
      ),
    ).toEqual([
      'queue email has 2 processors (EmailProcessor, OtherEmailProcessor)',
      'queue export has no processor',
      'ReportProcessor serves unknown queue reports',
    ]);
  });
});

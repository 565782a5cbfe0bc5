import { describe, expect, it } from '@jest/globals';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { processorQueue, queueCoverageProblems } from '../../src/infrastructure/queue/worker-queues.js';

@Processor('probe-queue')
class ProbeProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

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

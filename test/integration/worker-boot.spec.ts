import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { BullRegistrar, Processor, WorkerHost } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { bootstrapWorker } from '../../src/bootstrap/worker.js';
import { AppConfigModule } from '../../src/infrastructure/config/app-config.module.js';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { WorkerQueues } from '../../src/infrastructure/queue/worker-queues.js';
import { useTestEnvironment } from '../support/test-environment.js';

@Processor(QueueName.Diagnostics)
class FirstDiagnosticsProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor(QueueName.Diagnostics)
class SecondDiagnosticsProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

const registrar = { register: jest.fn() };

/**
 * A worker whose diagnostics queue has two processors and whose other queues have none. It opens no
 * connection (the registrar that would start BullMQ workers is a stub), so a failed start leaks nothing.
 */
@Module({
  imports: [DiscoveryModule, AppConfigModule],
  providers: [
    WorkerQueues,
    { provide: BullRegistrar, useValue: registrar },
    FirstDiagnosticsProcessor,
    SecondDiagnosticsProcessor,
  ],
})
class MisconfiguredWorkerModule {}

class ProcessExit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`process.exit(${code})`);
  }
}

describe('worker start-up checks', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('refuses to start, in one line and before any queue worker runs, when a queue has no processor or two', async () => {
    useTestEnvironment('worker-boot');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new ProcessExit(code);
    });

    await expect(bootstrapWorker(MisconfiguredWorkerModule)).rejects.toEqual(new ProcessExit(1));
    const lines = stderr.mock.calls
      .map(([text]) => String(text))
      .filter((text) => !text.includes('ExperimentalWarning'));
    expect(lines).toEqual([
      'Worker cannot start: queue diagnostics has 2 processors (FirstDiagnosticsProcessor, SecondDiagnosticsProcessor); ' +
        'queue email has no processor; queue webhook has no processor; queue export has no processor; ' +
        'queue housekeeping has no processor; queue erasure has no processor\n',
    ]);
    expect(registrar.register).not.toHaveBeenCalled();
  });
});

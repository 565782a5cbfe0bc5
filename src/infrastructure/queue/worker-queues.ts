import { BullRegistrar } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { QueueName } from './queue-names.js';

/** Where `@Processor(queue)` keeps its queue; @nestjs/bullmq does not export the key (a test pins it). */
const PROCESSOR_METADATA = 'bullmq:processor_metadata';

export interface DiscoveredProcessor {
  queue: string;
  name: string;
}

/** The queue a `@Processor` class serves, if `type` is one. */
export function processorQueue(type: unknown): string | undefined {
  if (typeof type !== 'function') return undefined;
  return (Reflect.getMetadata(PROCESSOR_METADATA, type) as { name?: string } | undefined)?.name;
}

/** What keeps a worker from serving every queue exactly once; empty when nothing does. */
export function queueCoverageProblems(queues: readonly string[], processors: DiscoveredProcessor[]): string[] {
  const problems = queues.flatMap((queue) => {
    const serving = processors
      .filter((processor) => processor.queue === queue)
      .map((processor) => processor.name)
      .sort();
    if (serving.length === 0) return [`queue ${queue} has no processor`];
    if (serving.length > 1) return [`queue ${queue} has ${serving.length} processors (${serving.join(', ')})`];
    return [];
  });
  const unknown = processors.filter((processor) => !queues.includes(processor.queue));
  return [...problems, ...unknown.map((processor) => `${processor.name} serves unknown queue ${processor.queue}`)];
}

export class WorkerMisconfiguredError extends Error {
  constructor(problems: string[]) {
    super(`Worker cannot start: ${problems.join('; ')}`);
  }
}

/**
 * Starts the BullMQ workers (registration is manual, see QueueModule) once every queue of `QueueName`
 * has exactly one processor: a queue nobody serves would silently pile up jobs, and two processors
 * would each take a share. Runs before any processor's `onApplicationBootstrap`.
 */
@Injectable()
export class WorkerQueues implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registrar: BullRegistrar,
  ) {}

  onModuleInit(): void {
    const processors = this.discovery.getProviders().flatMap((wrapper) => {
      const queue = processorQueue(wrapper.metatype);
      return queue ? [{ queue, name: wrapper.name }] : [];
    });
    const problems = queueCoverageProblems(Object.values(QueueName), processors);
    if (problems.length) throw new WorkerMisconfiguredError(problems);
    this.registrar.register();
  }
}

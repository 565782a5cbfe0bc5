import { BullRegistrar } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { WorkerOptions } from 'bullmq';
import { AppConfigService } from '../config/app-config.service.js';
import { QueueName } from './queue-names.js';

/** Where `@Processor(queue)` keeps its queue; @nestjs/bullmq does not export the key (a test pins it). */
const PROCESSOR_METADATA = 'bullmq:processor_metadata';
/** Where `@Processor(queue, options)` keeps its BullMQ worker options, read when the worker is made (pinned too). */
const WORKER_METADATA = 'bullmq:worker_metadata';

export interface DiscoveredProcessor {
  queue: string;
  name: string;
}

/** The queue a `@Processor` class serves, if `type` is one. */
export function processorQueue(type: unknown): string | undefined {
  if (typeof type !== 'function') return undefined;
  return (Reflect.getMetadata(PROCESSOR_METADATA, type) as { name?: string } | undefined)?.name;
}

/** The options each processor's own `@Processor` named, before any defaults were merged in. */
const declaredWorkerOptions = new WeakMap<object, Partial<WorkerOptions>>();

/**
 * Gives the processor's BullMQ worker `defaults` under the options its `@Processor` names itself. Only
 * the worker made from the class afterwards sees them: call before the workers are registered. A later
 * call (another application in the same process) replaces the earlier defaults.
 */
export function applyWorkerDefaults(type: object, defaults: Partial<WorkerOptions>): void {
  const declared =
    declaredWorkerOptions.get(type) ??
    (Reflect.getMetadata(WORKER_METADATA, type) as Partial<WorkerOptions> | undefined) ??
    {};
  declaredWorkerOptions.set(type, declared);
  Reflect.defineMetadata(WORKER_METADATA, { ...defaults, ...declared }, type);
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
 *
 * Every worker gets the configured job locks: how long a dead worker's jobs stay locked
 * (`QUEUE_LOCK_DURATION_MS`) and how often live workers look for them (`QUEUE_STALLED_INTERVAL_MS`).
 */
@Injectable()
export class WorkerQueues implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registrar: BullRegistrar,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    const processors = this.discovery.getProviders().flatMap((wrapper) => {
      const queue = processorQueue(wrapper.metatype);
      return queue ? [{ queue, name: wrapper.name, type: wrapper.metatype as object }] : [];
    });
    const problems = queueCoverageProblems(Object.values(QueueName), processors);
    if (problems.length) throw new WorkerMisconfiguredError(problems);
    const { lockDurationMs, stalledIntervalMs } = this.config.queue;
    for (const { type } of processors) {
      applyWorkerDefaults(type, { lockDuration: lockDurationMs, stalledInterval: stalledIntervalMs });
    }
    this.registrar.register();
  }
}

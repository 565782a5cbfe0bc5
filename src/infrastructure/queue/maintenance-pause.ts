import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { MaintenanceMode, type MaintenanceState } from '../maintenance/maintenance-mode.js';
import { processorQueue } from './worker-queues.js';

/**
 * In maintenance mode the worker pauses every queue (active jobs finish first) and resumes them when
 * it ends, so a migration runs with no job writing underneath it.
 */
@Injectable()
export class MaintenancePause implements OnModuleInit {
  private readonly logger = new Logger(MaintenancePause.name);
  private hosts: WorkerHost[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly maintenance: MaintenanceMode,
  ) {}

  onModuleInit(): void {
    this.hosts = this.discovery
      .getProviders()
      .filter((wrapper) => processorQueue(wrapper.metatype) !== undefined)
      .map((wrapper) => wrapper.instance as WorkerHost);
    this.maintenance.onChange((state) => this.follow(state));
  }

  private async follow({ on }: MaintenanceState): Promise<void> {
    await Promise.all(this.hosts.map((host) => (on ? host.worker.pause() : host.worker.resume())));
    this.logger.warn({ msg: on ? 'queues paused for maintenance' : 'queues resumed', queues: this.hosts.length });
  }
}

import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { EventRelayService } from './event-relay.service.js';
import { EventsModule } from './events.module.js';

/**
 * The worker's event relay. It re-publishes pending events of any feature, so the worker loads them
 * all (`WorkerModule` imports `FeaturesModule`): each feature registers where its entities live and
 * listens to the events it turns into jobs.
 */
@Module({ imports: [EventsModule] })
export class EventsWorkerModule implements OnApplicationBootstrap {
  constructor(private readonly relay: EventRelayService) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }
}

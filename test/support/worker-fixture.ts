import type { INestApplicationContext, Type } from '@nestjs/common';
import { bootstrapWorker } from '../../src/bootstrap/worker.js';
import { EventRelayService } from '../../src/modules/events/event-relay.service.js';

export interface TestWorker {
  get<T>(type: Type<T> | string | symbol): T;
  /** One event relay pass now, instead of waiting for its timer; answers how many events it settled. */
  relayOnce(): Promise<number>;
  /** Lets active jobs finish, then closes every connection (what SIGTERM does). */
  stop(): Promise<void>;
}

/** The worker in this test process, booted by its real entry point on the `useTestEnvironment` settings. */
export async function startWorker(): Promise<TestWorker> {
  const context: INestApplicationContext = await bootstrapWorker();
  return {
    get: (type) => context.get(type, { strict: false }),
    relayOnce: () => context.get(EventRelayService, { strict: false }).runOnce(),
    stop: () => context.close(),
  };
}

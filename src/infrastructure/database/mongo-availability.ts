import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { TopologyDescription, TopologyDescriptionChangedEvent } from 'mongodb';
import type { Connection } from 'mongoose';

/** Server types that take this app's reads and writes (primary read preference, writes everywhere). */
const SERVING_TYPES: ReadonlySet<string> = new Set(['Standalone', 'RSPrimary', 'Mongos', 'LoadBalancer']);

/** Refused without asking the store: the driver already knows it cannot serve (answered as a 503). */
export class StoreUnreachableError extends Error {
  override readonly name = 'StoreUnreachableError';

  constructor() {
    super('MongoDB is unreachable');
  }
}

interface Availability {
  /** Set once a server served: a process still connecting has not seen an outage. */
  served: boolean;
  unreachableSince: number | null;
}

/** Mongoose's `readyState` for an open connection (its enum is not a named export of the ES module). */
const CONNECTED = 1;
const logger = new Logger('MongoAvailability');
const watched = new WeakMap<Connection, Availability>();

/**
 * Follows whether the driver knows MongoDB cannot serve `connection`: no server it monitors takes
 * writes (a standalone or primary that stopped answering, a replica set without a primary). Fed by
 * the driver's topology events, it flips as soon as a heartbeat fails or an operation meets a dead
 * connection, and back when a heartbeat succeeds (database.module.ts sets their pace). Called once,
 * from the connection factory.
 */
export function watchAvailability(connection: Connection): void {
  // The factory runs once the connection is open: a server has served already.
  const state: Availability = { served: connection.readyState === CONNECTED, unreachableSince: null };
  watched.set(connection, state);
  connection.getClient().on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
    updateAvailability(state, event.newDescription);
  });
}

/** Exported for the unit test; the driver's events call it. */
export function updateAvailability(state: Availability, description: Pick<TopologyDescription, 'servers'>): void {
  const serving = [...description.servers.values()].some((server) => SERVING_TYPES.has(server.type));
  if (serving) {
    if (state.unreachableSince !== null) {
      logger.log({ msg: 'database reachable again', unreachable_ms: Date.now() - state.unreachableSince });
    }
    state.served = true;
    state.unreachableSince = null;
  } else if (state.served && state.unreachableSince === null) {
    state.unreachableSince = Date.now();
    // One line per outage, not one per refused request or operation.
    logger.warn({ msg: 'database unreachable: operations and API requests fail at once until it is back' });
  }
}

/** True from the moment the driver saw no serving server until it sees one again. */
export function isKnownUnreachable(connection: Connection | undefined): boolean {
  return (connection && watched.get(connection)?.unreachableSince != null) || false;
}

/** The same, for whoever can inject: the HTTP gate, readiness, the error filter. */
@Injectable()
export class MongoAvailability {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  isUnreachable(): boolean {
    return isKnownUnreachable(this.connection);
  }
}

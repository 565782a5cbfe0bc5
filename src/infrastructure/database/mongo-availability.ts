import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type {
  ConnectionCheckOutFailedEvent,
  ConnectionReadyEvent,
  ServerHeartbeatStartedEvent,
  ServerHeartbeatSucceededEvent,
  TopologyDescription,
  TopologyDescriptionChangedEvent,
} from 'mongodb';
import type { Connection } from 'mongoose';
import { isStoreUnreachableError } from './mongo-values.js';

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
  /**
   * The driver's view: the addresses of the monitored servers that can serve (none: an outage), or
   * null before its first description of them.
   */
  serving: ReadonlySet<string> | null;
  /** Per server address, when an operation last failed to open a connection to it (refused, reset). */
  connectFailedAt: Map<string, number>;
  /** Per server address, when its latest heartbeat started. */
  heartbeatStartedAt: Map<string, number>;
  unreachableSince: number | null;
}

/** Mongoose's `readyState` for an open connection (its enum is not a named export of the ES module). */
const CONNECTED = 1;
const logger = new Logger('MongoAvailability');
const watched = new WeakMap<Connection, Availability>();

/**
 * Follows whether MongoDB can serve `connection`, from the driver's own events: its view of the
 * servers (a standalone or primary that stopped answering its heartbeat, a replica set without a
 * primary), and an operation failing to open a connection, which the driver may not count against the
 * server before its next heartbeat. It flips as soon as either happens and back once a heartbeat or a
 * new connection succeeds and a server can serve (database.module.ts sets the heartbeat's pace).
 * Called once, from the connection factory, when the connection is open.
 */
export function watchAvailability(connection: Connection): void {
  const state = newAvailability(connection.readyState === CONNECTED);
  watched.set(connection, state);
  const client = connection.getClient();
  client.on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
    updateAvailability(state, event.newDescription);
  });
  client.on('connectionCheckOutFailed', (event: ConnectionCheckOutFailedEvent) => {
    // The cause is on the event, though the driver's types do not declare it.
    if (isStoreUnreachableError((event as { error?: unknown }).error)) noteConnectFailure(state, event.address);
  });
  client.on('connectionReady', (event: ConnectionReadyEvent) => noteConnected(state, event.address, Date.now()));
  client.on('serverHeartbeatStarted', (event: ServerHeartbeatStartedEvent) => {
    state.heartbeatStartedAt.set(event.connectionId, Date.now());
  });
  client.on('serverHeartbeatSucceeded', (event: ServerHeartbeatSucceededEvent) => {
    noteConnected(state, event.connectionId, state.heartbeatStartedAt.get(event.connectionId) ?? 0);
  });
}

/** Exported for the unit test, as are the three below; the driver's events call them. */
export function newAvailability(served: boolean): Availability {
  return {
    served,
    serving: null,
    connectFailedAt: new Map(),
    heartbeatStartedAt: new Map(),
    unreachableSince: null,
  };
}

export function updateAvailability(state: Availability, description: Pick<TopologyDescription, 'servers'>): void {
  state.serving = new Set(
    [...description.servers.entries()]
      .filter(([, server]) => SERVING_TYPES.has(server.type))
      .map(([address]) => address),
  );
  if (state.serving.size > 0) state.served = true;
  settle(state);
}

export function noteConnectFailure(state: Availability, address: string, at = Date.now()): void {
  state.connectFailedAt.set(address, at);
  settle(state);
}

/**
 * `address` answered something that began at `since`: a new connection, or a heartbeat. A heartbeat
 * that began before the failure proves nothing (a store shutting down still answers on connections
 * it has while it refuses new ones); one that began after it does.
 */
export function noteConnected(state: Availability, address: string, since: number): void {
  const failedAt = state.connectFailedAt.get(address);
  if (failedAt === undefined || since < failedAt) return;
  state.connectFailedAt.delete(address);
  settle(state);
}

/**
 * Unreachable when no server can serve, or when every one that the driver still takes for serving has
 * refused a new connection since. Only serving servers count: a failed-over primary that stays down
 * (or leaves the set) must not keep the app refusing requests the new primary would serve.
 */
function settle(state: Availability): void {
  const serving = state.serving === null ? null : [...state.serving];
  const noServer = serving?.length === 0;
  const refused =
    serving === null
      ? state.connectFailedAt.size > 0
      : serving.length > 0 && serving.every((address) => state.connectFailedAt.has(address));
  const unreachable = state.served && (noServer || refused);
  if (unreachable && state.unreachableSince === null) {
    state.unreachableSince = Date.now();
    // One line per outage, not one per refused request or operation.
    logger.warn({ msg: 'database unreachable: operations and API requests fail at once until it is back' });
  } else if (!unreachable && state.unreachableSince !== null) {
    logger.log({ msg: 'database reachable again', unreachable_ms: Date.now() - state.unreachableSince });
    state.unreachableSince = null;
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

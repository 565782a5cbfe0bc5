import { describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import {
  isKnownUnreachable,
  newAvailability,
  noteConnected,
  noteConnectFailure,
  StoreUnreachableError,
  updateAvailability,
} from '../../src/infrastructure/database/mongo-availability.js';
import { isStoreUnreachableError } from '../../src/infrastructure/database/mongo-values.js';
import { AllExceptionsFilter } from '../../src/infrastructure/http/all-exceptions.filter.js';

/** A topology description as the driver's events carry it: one entry per monitored server. */
const topology = (...types: string[]) => ({
  servers: new Map(types.map((type, index) => [`host${index}:27017`, { type }])) as never,
});

describe('knowing MongoDB is unreachable', () => {
  it('flips when no monitored server can serve, and back when one can', () => {
    const state = newAvailability(true);
    updateAvailability(state, topology('Standalone'));
    expect(state.unreachableSince).toBeNull();
    updateAvailability(state, topology('Unknown'));
    expect(state.unreachableSince).toEqual(expect.any(Number));
    const since = state.unreachableSince;
    updateAvailability(state, topology('Unknown'));
    expect(state.unreachableSince).toBe(since);
    updateAvailability(state, topology('Standalone'));
    expect(state.unreachableSince).toBeNull();
  });

  it('counts a replica set without a primary as unreachable, and a mongos or a primary as serving', () => {
    const state = newAvailability(true);
    updateAvailability(state, topology('RSSecondary', 'RSSecondary', 'Unknown'));
    expect(state.unreachableSince).not.toBeNull();
    updateAvailability(state, topology('RSSecondary', 'RSPrimary'));
    expect(state.unreachableSince).toBeNull();
    updateAvailability(state, topology('Mongos'));
    expect(state.unreachableSince).toBeNull();
  });

  it('does not call a process that is still connecting unreachable', () => {
    const state = newAvailability(false);
    updateAvailability(state, topology('Unknown'));
    expect(state.unreachableSince).toBeNull();
    updateAvailability(state, topology('Standalone'));
    expect(state.served).toBe(true);
  });

  it('flips when an operation cannot connect, and back once a connection or a later heartbeat succeeds', () => {
    const state = newAvailability(true);
    updateAvailability(state, topology('Standalone'));
    noteConnectFailure(state, 'host0:27017', 1_000);
    expect(state.unreachableSince).not.toBeNull();
    // A heartbeat begun before the failure answered on an old connection: no proof.
    noteConnected(state, 'host0:27017', 999);
    expect(state.unreachableSince).not.toBeNull();
    noteConnected(state, 'other:27017', 2_000);
    expect(state.unreachableSince).not.toBeNull();
    noteConnected(state, 'host0:27017', 1_500);
    expect(state.unreachableSince).toBeNull();
    // A connection that succeeds does not hide a topology without a server.
    updateAvailability(state, topology('Unknown'));
    noteConnected(state, 'host0:27017', 3_000);
    expect(state.unreachableSince).not.toBeNull();
  });

  it('after a failover, counts only the servers that serve: the old primary staying down is no outage', () => {
    const state = newAvailability(true);
    updateAvailability(state, topology('RSPrimary', 'RSSecondary'));
    noteConnectFailure(state, 'host0:27017', 1_000);
    expect(state.unreachableSince).not.toBeNull();
    // The set elects host1; host0 never answers again, and its failure stays on record.
    updateAvailability(state, topology('Unknown', 'RSPrimary'));
    expect(state.unreachableSince).toBeNull();
    // A refusal from a server nobody takes for serving changes nothing either.
    noteConnectFailure(state, 'host0:27017', 2_000);
    expect(state.unreachableSince).toBeNull();
    noteConnectFailure(state, 'host1:27017', 3_000);
    expect(state.unreachableSince).not.toBeNull();
  });

  it('knows nothing of a connection it does not watch', () => {
    expect(isKnownUnreachable(undefined)).toBe(false);
  });
});

describe('errors of an unreachable store', () => {
  it('include the up-front refusal and a socket the driver was writing to when the store went', () => {
    expect(isStoreUnreachableError(new StoreUnreachableError())).toBe(true);
    const broken = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
      stack:
        'Error: This socket has been ended\n    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:408:29)',
    });
    expect(isStoreUnreachableError(broken)).toBe(true);
    // The same code from anything else (an SMTP or webhook socket) is not the store's.
    const elsewhere = Object.assign(new Error('write EPIPE'), {
      code: 'EPIPE',
      stack: 'Error: write EPIPE\n    at smtp',
    });
    expect(isStoreUnreachableError(elsewhere)).toBe(false);
  });

  it('turn what would be a 500 into the store-unavailable 503 while the store is known down', () => {
    const answered = (storeUnreachable: boolean) => {
      const reply = {
        statusCode: 0,
        body: undefined as unknown,
        header: jest.fn((_name: string, _value: string) => reply),
        headers: jest.fn(() => reply),
        status: jest.fn((code: number) => Object.assign(reply, { statusCode: code })),
        send: jest.fn((body: unknown) => Object.assign(reply, { body })),
      };
      const host = {
        switchToHttp: () => ({
          getResponse: () => reply,
          getRequest: () => ({ method: 'GET', url: '/', headers: {} }),
        }),
      } as unknown as ArgumentsHost;
      // A bulk write whose connection dropped: the driver names it neither network nor selection error.
      const error = Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoBulkWriteError' });
      new AllExceptionsFilter(null, () => storeUnreachable).catch(error, host);
      return reply;
    };
    const down = answered(true);
    expect(down.body).toEqual({
      statusCode: 503,
      error: 'service_unavailable',
      message: 'The database is unavailable; try again shortly',
    });
    expect(down.header).toHaveBeenCalledWith('retry-after', '5');
    expect(answered(false).statusCode).toBe(500);
  });
});

import { createConnection, createServer, type Socket } from 'node:net';
import { freePort } from '../../harness/ports.js';

export interface TcpProxy {
  /** `redis://127.0.0.1:<port>`-style address of the proxy, for a client that should go through it. */
  url(scheme: string): string;
  /** Drops every connection and refuses new ones: the clients see their server go away. */
  cut(): void;
  /**
   * Stops carrying bytes without closing anything, as a network that drops packets does: the clients'
   * connections stay open and their commands get no answer. Held bytes go through on `restore`.
   */
  stall(): void;
  /** Carries bytes again and accepts new connections. */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  held: { to: Socket; chunk: Buffer }[];
}

/**
 * A TCP proxy on a free loopback port in front of `target`, for outages that hit one process's
 * connections while others' stay up (a partition, a stalled connection): what stopping the server
 * itself cannot show.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: 'open' | 'cut' | 'stalled' = 'open';

  const forward = (pair: Pair, from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (mode === 'stalled') pair.held.push({ to, chunk });
      else to.write(chunk);
    });

  const server = createServer((client) => {
    if (mode === 'cut') return void client.destroy();
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    forward(pair, client, upstream);
    forward(pair, upstream, client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    cut: () => {
      mode = 'cut';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    stall: () => {
      mode = 'stalled';
    },
    restore: () => {
      mode = 'open';
      for (const pair of pairs) {
        for (const { to, chunk } of pair.held.splice(0)) to.write(chunk);
      }
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface WebhookReceiver {
  url: (path: string) => string;
  received: ReceivedHook[];
  /** The next answers for `path`, in order; afterwards it answers 200. */
  answer(path: string, ...statuses: number[]): void;
  /** Every answer for `path` waits `ms` (the request is recorded at once). */
  hold(path: string, ms: number): void;
  stop(): Promise<void>;
}

/** A real HTTP receiver on loopback that records every delivery and answers as told. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const scripted = new Map<string, number[]>();
  const held = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = scripted.get(path)?.shift() ?? 200;
      setTimeout(() => response.writeHead(status).end(), held.get(path) ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    answer: (path, ...statuses) => scripted.set(path, statuses),
    hold: (path, ms) => held.set(path, ms),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

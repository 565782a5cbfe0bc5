// Loopback ports for the processes the tests, drills and benchmarks start: a free one, and waiting
// until one answers (TCP or HTTP).
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/** Whether something accepts TCP connections on the loopback `port` now. */
export function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once `port` accepts connections (30 s at most); rejects at once when `child`, the process
 * that should listen there, fails to spawn or exits first.
 */
export async function waitForPort(port, name, child) {
  const failed = new Promise((_, reject) => {
    child?.once('error', (error) => reject(new Error(`${name} could not start: ${error.message}`)));
    child?.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before listening`)));
  });
  const listening = (async () => {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      if (await portAnswers(port)) return;
      await sleep(50);
    }
    throw new Error(`${name} did not start listening on port ${port}`);
  })();
  failed.catch(() => {}); // once listening, a later exit is the caller's business
  await Promise.race([listening, failed]);
}

/** Resolves once `url` answers 2xx (20 s at most). */
export async function waitForHttp(url) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

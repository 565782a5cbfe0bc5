import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export { freePort } from '../../bench/support/api-process.js';

function answers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once `port` accepts connections (30 s at most). */
export async function waitForPort(port, name) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (await answers(port)) return;
    await sleep(50);
  }
  throw new Error(`${name} did not start listening on port ${port}`);
}

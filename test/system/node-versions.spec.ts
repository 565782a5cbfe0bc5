import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../harness/ports.js';
import { isAtLeast, LOWEST_SUPPORTED_NODE } from '../../src/bootstrap/node-version.js';
import { startNode, type RunningProcess } from '../support/child-process.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** The project's own install step (scripts/lib/install.sh), as `npm test` runs it: echoes a binary. */
function installedNode(step: string): string {
  return execFileSync('bash', ['-c', `source scripts/lib.sh && ${step}`], { encoding: 'utf8' }).trim();
}

function versionOf(node: string): string {
  return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
}

/**
 * A Node older than the floor: the system's own `node` (outside node_modules/.bin, which holds the
 * suite's Node) when it is one, else 22.12.0, a release on which the argon2 binding segfaults.
 */
function olderNode(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    if (!isAtLeast(versionOf(candidate), LOWEST_SUPPORTED_NODE)) return candidate;
  }
  return installedNode('ensure_node 22.12.0');
}

describe('the supported Node.js versions, on the built processes', () => {
  let floorNode: string;
  const running: RunningProcess[] = [];

  beforeAll(() => {
    useTestEnvironment('node-versions', { LOG_LEVEL: 'info' });
    floorNode = installedNode('ensure_node_floor && echo "$NODE_FLOOR_BIN"');
  }, 120_000);

  afterAll(async () => {
    for (const run of running) run.child.kill('SIGTERM');
    await Promise.all(running.map((run) => run.exit()));
  });

  it('start on the lowest supported release: the API gets ready, the worker starts, the CLI checks', async () => {
    expect(versionOf(floorNode)).toBe(LOWEST_SUPPORTED_NODE);
    const port = await freePort();
    const api = startNode(['dist/main.js'], { PORT: String(port) }, floorNode);
    const worker = startNode(['dist/worker.js'], {}, floorNode);
    running.push(api, worker);
    await Promise.all([api.waitForOutput('API listening', 30_000), worker.waitForOutput('worker started', 30_000)]);

    const ready = await eventually(
      () => fetch(`http://127.0.0.1:${port}/health/ready`),
      (answer) => answer.status === 200,
    );
    expect(ready.status).toBe(200);
    const check = startNode(['dist/cli.js', 'check'], {}, floorNode);
    expect(await check.exit()).toBe(0);
  }, 90_000);

  it('refuse an older Node with exit code 1 and one line naming the required release (no crash)', async () => {
    const older = olderNode();
    const version = versionOf(older);
    for (const entry of ['dist/main.js', 'dist/worker.js', 'dist/cli.js']) {
      const refused = startNode([entry, 'check'], {}, older);
      expect({ entry, code: await refused.exit(), output: refused.output() }).toEqual({
        entry,
        code: 1,
        output: `Node.js ${LOWEST_SUPPORTED_NODE} or newer is required; this is Node.js ${version}\n`,
      });
    }
  }, 60_000);
});

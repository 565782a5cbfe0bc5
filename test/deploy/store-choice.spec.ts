import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

/**
 * How `npm start` and `npm test` choose their stores (scripts/lib.sh), run as bash on a PATH this
 * test controls: a machine without Go, without network, without Redis or a package manager.
 */
const scratch = mkdtempSync(join(tmpdir(), 'form-backend-store-choice-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BASICS = ['bash', 'cat', 'cp', 'rm', 'mkdir', 'find', 'cut', 'tail', 'id', 'dirname', 'basename', 'env'];

/** A bin directory holding only the basics, node, and the `extra` fake or real commands. */
function pathWith(name: string, extra: Record<string, string> = {}): string {
  const bin = join(scratch, name, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const command of BASICS) {
    const found = spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, command));
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  for (const [command, script] of Object.entries(extra)) executable(join(bin, command), script);
  return bin;
}

function executable(path: string, script: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Runs `step` after sourcing lib.sh; answers its exit code and what it logged. */
function run(step: string, env: Record<string, string>) {
  const result = spawnSync('bash', ['-c', `source scripts/lib.sh && ${step} && echo "MONGO_STORE=\${MONGO_STORE:-}"`], {
    encoding: 'utf8',
    env: { HOME: scratch, ...env },
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

// Connection refused at once: a machine with no network (mongodb-memory-server retries, then gives up).
const NO_NETWORK = { MONGOMS_DOWNLOAD_MIRROR: 'https://127.0.0.1:1' };

describe('store choice (scripts/lib.sh)', () => {
  it('without Go, network or a built FerretDB: says in one line what to set or install', () => {
    const tools = join(scratch, 'no-go-tools');
    const env = { PATH: pathWith('no-go'), TOOLS_DIR: tools, ...NO_NETWORK };

    const first = run('choose_mongo_store', env);

    expect(first.code).toBe(1);
    expect(first.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^\[.*\] error: no MongoDB-compatible store: set MONGO_URL to a running MongoDB, or let mongodb-memory-server download mongod \(it could not: Download failed for url .*ECONNREFUSED.*\), or install Go \(https:\/\/go\.dev\/dl\/\) so FerretDB can be built$/,
      ),
    ]);
    // A failed download is not retried on every run (it takes seconds); the message says how to retry.
    const again = run('choose_mongo_store', env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`retried daily; delete ${tools}/mongod-unavailable to retry now`);
  }, 30_000);

  it('takes FerretDB when no mongod can be had and FerretDB is built (or Go can build it), logging why', () => {
    const tools = join(scratch, 'ferret-tools');
    executable(join(tools, 'bin', 'ferretdb-v1.24.2'), 'exit 0');
    // A download that failed within the day (the first test makes a real one fail).
    writeFileSync(join(tools, 'mongod-unavailable'), 'Download failed for url "https://fastdl.mongodb.org/x.tgz"\n');
    const chosen = run('choose_mongo_store', { PATH: pathWith('ferret'), TOOLS_DIR: tools, ...NO_NETWORK });

    expect(chosen.code).toBe(0);
    expect(chosen.stdout.trim()).toBe('MONGO_STORE=ferretdb');
    expect(chosen.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^\[.*\] MongoDB: FerretDB v1\.24\.2 \(.*\); no mongod: Download failed for url .*retried daily.*$/,
      ),
    ]);
  });

  it('takes the MONGO_URL and REDIS_URL given, starting and installing nothing', () => {
    const env = { PATH: pathWith('given'), TOOLS_DIR: join(scratch, 'given-tools') };
    const given = { MONGO_URL: 'mongodb://db.internal:27017/x', REDIS_URL: 'redis://cache.internal:6379' };
    const chosen = run('choose_mongo_store && choose_redis_store', { ...env, ...given });

    expect(chosen.code).toBe(0);
    expect(chosen.stdout.trim()).toBe('MONGO_STORE=url');
    expect(chosen.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^\[.*\] MongoDB: the one MONGO_URL names$/),
      expect.stringMatching(/^\[.*\] Redis: the one REDIS_URL names$/),
    ]);
  });

  it('prefers a real mongod from mongodb-memory-server to FerretDB', () => {
    const mongod = executable(join(scratch, 'mongod-7', 'mongod'), 'echo "db version v7.0.14"; echo "Build Info: {}"');
    const tools = join(scratch, 'mongod-tools');
    executable(join(tools, 'bin', 'ferretdb-v1.24.2'), 'exit 0');
    const chosen = run('choose_mongo_store', {
      PATH: pathWith('mongod'),
      TOOLS_DIR: tools,
      MONGOMS_SYSTEM_BINARY: mongod,
    });

    expect(chosen.code).toBe(0);
    expect(chosen.stdout.trim()).toBe('MONGO_STORE=mongod');
    expect(chosen.stderr.trim()).toMatch(
      new RegExp(`^\\[.*\\] MongoDB: mongod from mongodb-memory-server \\(${mongod}\\)$`),
    );
  });

  it('takes the redis-server on the PATH, and without one nor a package manager says what to do', () => {
    const onPath = run('ensure_redis', {
      PATH: pathWith('redis', { 'redis-server': 'echo "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0"' }),
    });
    expect(onPath.code).toBe(0);
    expect(onPath.stderr.trim()).toMatch(/^\[.*\] Redis: Redis server v=7\.0\.15 on the PATH \(.*redis-server\)$/);

    const nothing = run('ensure_redis', { PATH: pathWith('no-redis') });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr.trim()).toMatch(
      /^\[.*\] error: no Redis: set REDIS_URL to a running Redis 7, or install redis-server and put it on the PATH \(no apt-get, dnf or brew here to install it with\)$/,
    );
  });
});

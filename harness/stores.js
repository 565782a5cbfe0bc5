// The one way tests, drills and benchmarks start stores: the tiers' global setup (plain ESM, loaded
// outside jest's transform), the outage tests that stop and restart a Redis of their own, and the
// drills' restartable stores (mongoStoreCommand) all use it. Types: stores.d.ts.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';

const FERRETDB = join(process.cwd(), '.tools', 'bin', 'ferretdb-v1.24.2');
const SECANTUSD = join(process.cwd(), '.tools', 'secantusdb-0.7.0b3', 'bin', 'secantusd-py');

function stopper(child, cleanUp = () => {}) {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    cleanUp();
  };
}

/** Installs a missing store binary by the same scripts/lib.sh step `npm test` and `npm start` use. */
function ensureInstalled(present, step) {
  if (!present()) execFileSync('bash', ['-c', `source scripts/lib.sh && ${step}`], { stdio: 'inherit' });
}

const redisOnPath = () => {
  try {
    execFileSync('bash', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** A throwaway, non-persistent `redis-server` on a free loopback port (or on `port`). */
export async function startRedisServer(port) {
  ensureInstalled(redisOnPath, 'ensure_redis');
  const chosen = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(chosen, 'redis-server', child);
  return { name: 'redis-server', url: `redis://127.0.0.1:${chosen}`, port: chosen, stop: stopper(child) };
}

/**
 * How to run the chosen MongoDB-compatible store on `port` with its data in `dataDir`: SecantusDB
 * when `MONGO_ENGINE=secantus` (the second engine `npm test` runs the store tiers on), else the
 * `mongod` scripts/lib.sh found (`MONGOD_BIN`), else FerretDB with its SQLite backend (installed if missing).
 * The drills (drills/support/stack.js) start theirs the same way.
 */
export function mongoStoreCommand(dataDir, port) {
  if (process.env.MONGO_ENGINE === 'secantus') {
    ensureInstalled(() => existsSync(SECANTUSD), 'ensure_secantus');
    return {
      name: 'secantusdb',
      command: SECANTUSD,
      args: ['--host', '127.0.0.1', '--port', String(port), '--storage-path', dataDir, '--log-level', 'WARNING'],
    };
  }
  const mongod = process.env.MONGOD_BIN;
  if (mongod) {
    return {
      name: 'mongod',
      command: mongod,
      args: ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1'],
    };
  }
  ensureInstalled(() => existsSync(FERRETDB), 'ensure_ferretdb');
  return {
    name: 'ferretdb',
    command: FERRETDB,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
  };
}

/**
 * A throwaway MongoDB-compatible store on a free loopback port, data in a temporary folder: the
 * `mongod` that scripts/lib.sh chose (`MONGOD_BIN`, from mongodb-memory-server) when there is one,
 * else FerretDB (SQLite backend), which is what this machine runs (no `mongod` can be downloaded here).
 */
export async function startMongoStore() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'form-backend-mongo-'));
  let running = await startMongoOn(port, dataDir);
  return {
    name: running.name,
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    stop: async () => {
      await running.halt();
      rmSync(dataDir, { recursive: true, force: true });
    },
    /** An outage: the store stops; `restart()` brings it back on the same port with the same data. */
    async outage() {
      await running.halt();
      return {
        restart: async () => {
          running = await startMongoOn(port, dataDir);
        },
      };
    },
  };
}

async function startMongoOn(port, dataDir) {
  const { name, command, args } = mongoStoreCommand(dataDir, port);
  const child = spawn(command, args, { stdio: 'ignore' });
  await waitForPort(port, name, child);
  return { name, halt: stopper(child) };
}

// `npm run bench` (scripts/bench.sh builds first): starts throwaway stores with the same harness the
// tests and drills use (unless MONGO_URL / REDIS_URL name running ones), then runs every benchmark
// under bench/ one after another. Each table goes to the terminal and into bench/RESULTS.md, under a
// header naming the machine and the stores, so figures can be compared. `npm run bench -- <name>...`
// runs only those (e.g. `submission`) and leaves bench/RESULTS.md as it was.
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMongoStore, startRedisServer } from '../harness/stores.js';

const started = [];
if (!process.env.MONGO_URL) {
  const mongo = await startMongoStore();
  started.push(mongo);
  process.env.MONGO_URL = mongo.url;
}
if (!process.env.REDIS_URL) {
  const redis = await startRedisServer();
  started.push(redis);
  process.env.REDIS_URL = redis.url;
}

/** Runs a script of bench/ with the stores' URLs; its output is shown and returned. */
function run(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${script} exited ${code}`))));
  });
}

const only = process.argv.slice(2).map((name) => name.replace(/^bench\//, '').replace(/\.js$/, ''));
const results = join('bench', 'RESULTS.md');
const pending = `${results}.tmp`;
try {
  writeFileSync(pending, await run(join('bench', 'support', 'machine.js')));
  const benchmarks = readdirSync('bench')
    .filter((name) => name.endsWith('.js') && name !== 'run.js')
    .filter((name) => !only.length || only.includes(name.slice(0, -3)))
    .sort();
  if (!benchmarks.length) throw new Error(`no benchmark named ${only.join(', ')} under bench/`);
  for (const name of benchmarks) {
    console.error(`[bench] bench/${name}`);
    const output = await run(join('bench', name));
    appendFileSync(pending, `## bench/${name}\n\n\`\`\`\n${output}\`\`\`\n\n`);
  }
  if (only.length) {
    rmSync(pending);
  } else {
    renameSync(pending, results);
    console.error('[bench] results in bench/RESULTS.md; JSON in bench/results/');
  }
} finally {
  for (const store of started) await store.stop();
}

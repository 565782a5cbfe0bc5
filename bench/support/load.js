// Shared by the benchmarks: a database of their own on the given store, and latency percentiles.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** MONGO_URL with its database replaced, so a benchmark never touches real data. */
export function benchDatabaseUrl(name) {
  const url = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/');
  url.pathname = `/bench_${name}`;
  return url.toString();
}

export function percentiles(samples, digits = 4) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(digits);
  return `p50 ${at(50)} ms  p99 ${at(99)} ms  max ${sorted.at(-1).toFixed(digits)} ms`;
}

/**
 * Closed-loop load: `concurrency` keep-alive clients POST `body()` to `url` for `seconds`.
 * Answers requests per second that got `expectedStatus`, the others' count, and latency percentiles.
 */
export async function postLoad({ url, headers = {}, body, seconds, concurrency, expectedStatus }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies = [];
  let ok = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const post = (payload) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  const client = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const status = await post(JSON.stringify(body()));
      latencies.push(performance.now() - started);
      if (status === expectedStatus) ok += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: ok / elapsed, failed, latency: percentiles(latencies, 2) };
}

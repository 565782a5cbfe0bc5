// Shared by the benchmarks: a database of their own on the given store, and latency percentiles.

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

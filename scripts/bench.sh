#!/usr/bin/env bash
# `npm run bench`: builds, starts throwaway stores (unless MONGO_URL / REDIS_URL are given) and runs
# every benchmark under bench/, each printing its own figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
run_dir=$(mktemp -d -t form-backend-bench.XXXXXX)
trap 'stop_started_stores; rm -rf "$run_dir"' EXIT
start_throwaway_stores "$run_dir"
node scripts/build.js

# Every table goes to the terminal and into bench/RESULTS.md, under a header naming the machine and stores
# (`tee -a`: reopening stderr without append would truncate it when it is a file).
results="$ROOT/bench/RESULTS.md"
node bench/support/machine.js >"$results.tmp"
for bench in bench/*.js; do
  log "$bench"
  { printf '## %s\n\n```\n' "$bench"; node "$bench" | tee -a /dev/stderr; printf '```\n\n'; } >>"$results.tmp"
done
mv "$results.tmp" "$results"
log "results in bench/RESULTS.md; JSON in bench/results/"


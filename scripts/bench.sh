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
npm run --silent build

for bench in bench/*.js; do
  log "$bench"
  node "$bench"
done

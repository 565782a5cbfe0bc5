#!/usr/bin/env bash
# `npm start`: installs what is missing, starts FerretDB and Redis on loopback (unless MONGO_URL /
# REDIS_URL are given), builds, and runs the API (port 3000) and the worker together until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_env_file
start_dev_stores

log "building"
npx nest build

pids=()
shutdown() {
  trap - INT TERM EXIT
  log "stopping API and worker"
  # SIGTERM lets the worker finish its active jobs before it exits.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  stop_started_stores
  log "stopped"
}
trap shutdown INT TERM EXIT

node dist/worker.js &
pids+=($!)
node dist/main.js &
pids+=($!)
log "API on http://127.0.0.1:${PORT:-3000} (docs at /docs), worker running; Ctrl-C stops both"
wait -n "${pids[@]}"

#!/usr/bin/env bash
# `npm start` (watch) and `npm run start:prod` (prod): installs what is missing, starts MongoDB (or
# FerretDB) and Redis on loopback (unless MONGO_URL / REDIS_URL are given) and a mail catcher
# (Mailpit, UI on :8025, unless SMTP_URL is given), and runs the API (port 3000) and the worker
# together until Ctrl-C.
#   watch: one `tsc --watch` compiles src/ to dist/; each process restarts when its code changes.
#   prod:  one build (`npm run build`, skipped when nothing changed), then the built processes, as the image runs them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

mode=${1:-watch}
[[ $mode == watch || $mode == prod ]] || die "usage: scripts/start.sh watch|prod"

ensure_node_modules
ensure_env_file
start_dev_stores
start_mail_catcher

log "building"
npm run --silent build

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

if [[ $mode == watch ]]; then
  npx tsc -p tsconfig.build.json --watch --preserveWatchOutput &
  pids+=($!)
  node --watch dist/worker.js &
  pids+=($!)
  node --watch dist/main.js &
  pids+=($!)
  log "watching src/: API on http://127.0.0.1:${PORT:-3000} (docs at /docs) and the worker restart on change; Ctrl-C stops all"
else
  node dist/worker.js &
  pids+=($!)
  node dist/main.js &
  pids+=($!)
  log "API on http://127.0.0.1:${PORT:-3000} (docs at /docs), worker running; Ctrl-C stops both"
fi
wait -n "${pids[@]}"

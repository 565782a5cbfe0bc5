#!/usr/bin/env bash
# `npm test`: installs what is missing, starts throwaway FerretDB and Redis on free loopback ports
# (unless MONGO_URL / REDIS_URL are given), then runs lint, type-check and every test with coverage.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
run_dir=$(mktemp -d -t form-backend-test.XXXXXX)
cleanup() {
  stop_started_stores
  rm -rf "$run_dir"
}
trap cleanup EXIT

if [[ -z ${MONGO_URL:-} ]]; then
  ensure_ferretdb
  port=$(free_port)
  start_ferretdb "$run_dir/ferretdb" "$port"
  export MONGO_URL="mongodb://127.0.0.1:$port/"
fi
if [[ -z ${REDIS_URL:-} ]]; then
  ensure_redis
  port=$(free_port)
  start_redis "$run_dir/redis" "$port" no
  export REDIS_URL="redis://127.0.0.1:$port"
fi

log "lint"
npm run --silent lint
log "type-check"
npx tsc --noEmit -p tsconfig.json
log "tests (MONGO_URL=$MONGO_URL REDIS_URL=$REDIS_URL)"
npm run --silent test:cov

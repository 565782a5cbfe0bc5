#!/usr/bin/env bash
# `npm test`: installs what is missing, starts throwaway FerretDB and Redis on free loopback ports
# (unless MONGO_URL / REDIS_URL are given), then runs lint, type-check and every test with coverage.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
run_dir=$(mktemp -d -t form-backend-test.XXXXXX)
trap 'stop_started_stores; rm -rf "$run_dir"' EXIT
start_throwaway_stores "$run_dir"

log "lint"
npm run --silent lint
log "type-check"
npx tsc --noEmit -p tsconfig.json
log "tests (MONGO_URL=$MONGO_URL REDIS_URL=$REDIS_URL)"
npm run --silent test:cov

#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs lint, type-check, every test with coverage and the
# fast drills.
# `npm test -- <jest args>` runs only jest with those arguments (e.g. one file), no lint or coverage.
# The e2e tests start throwaway FerretDB and Redis themselves (test/support/global-setup.ts) unless
# MONGO_URL / REDIS_URL name running ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
# Each store choice is one log line; the e2e global setup starts the chosen ones (test/support/stores.js).
choose_mongo_store
choose_redis_store
ensure_deploy_checkers

if [[ $# -gt 0 ]]; then
  log "jest $*"
  exec npm run --silent jest -- "$@"
fi

log "lint"
npm run --silent lint
log "type-check"
npm run --silent typecheck
log "tests"
npm run --silent test:cov
# The drills quick enough for every run; the others (redis-outage, worker-crash, webhook-outage,
# api-fuzz) run on demand: npm run drill -- <name>.
for drill in mongo-outage; do
  log "drill $drill"
  bash scripts/drill.sh "$drill"
done

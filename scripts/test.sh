#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs lint, type-check and every test with coverage.
# `npm test -- <jest args>` runs only jest with those arguments (e.g. one file), no lint or coverage.
# The e2e tests start throwaway FerretDB and Redis themselves (test/support/global-setup.ts) unless
# MONGO_URL / REDIS_URL name running ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
[[ -n ${MONGO_URL:-} ]] || ensure_ferretdb
[[ -n ${REDIS_URL:-} ]] || ensure_redis

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

#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs lint, type-check, every tier with coverage, the
# store tiers again on the second engine (SecantusDB), and the fast drills.
# `npm test -- <jest args>` runs only jest with those arguments (e.g. one file), no lint or coverage.
# The tiers that need stores start throwaway ones themselves (test/support/global-setup.js) unless
# MONGO_URL / REDIS_URL name running ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
# The lowest supported Node.js, on which the system tier starts the built processes (once, into .tools/).
ensure_node_floor
# Each store choice is one log line; the tiers' global setup starts the chosen ones (harness/stores.js).
choose_mongo_store
choose_redis_store
ensure_deploy_checkers
ensure_chromium
# The Python snippet docs/api.md gives webhook receivers runs in the api tests, on the official package.
ensure_standardwebhooks_python

if [[ $# -gt 0 ]]; then
  log "jest $*"
  exec npm run --silent jest -- "$@"
fi

[[ $MONGO_STORE == url ]] || ensure_secantus
# Each stage's log line says how long the run has taken so far.
stage() { log "$1 (at ${SECONDS} s)"; }
stage "lint"
npm run --silent lint
stage "type-check"
npm run --silent typecheck
stage "tests: every tier on ${MONGO_STORE}, with coverage"
npm run --silent test:cov
# The store tiers again on SecantusDB, whose updates, indexes and duplicate keys behave as MongoDB 7's
# (FerretDB's updates are not atomic): a test that passes on one engine only is a bug. Coverage comes
# from the first run only. A MONGO_URL given names the one store to use, so there is no second run.
if [[ $MONGO_STORE != url ]]; then
  stage "tests: the integration, api and system tiers on SecantusDB"
  # One file at a time: SecantusDB answers one client's request after another, and with two files on
  # it a long export in one starved the other's timed steps (session revocation, replicas).
  MONGO_ENGINE=secantus TEST_TIERS=integration,api,system npm run --silent jest -- --maxWorkers=1
fi
# The drills quick enough for every run; the others (redis-outage, worker-crash, webhook-outage,
# api-fuzz) run on demand: npm run drill -- <name>.
for drill in mongo-outage; do
  stage "drill $drill"
  bash scripts/drill.sh "$drill"
done
stage "done"

#!/usr/bin/env bash
# `npm run bench`: installs what is missing, builds, then bench/run.js starts throwaway stores (unless
# MONGO_URL / REDIS_URL are given) and runs every benchmark under bench/, each printing its own figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
choose_mongo_store
choose_redis_store
node scripts/build.js
# Stores (unless MONGO_URL / REDIS_URL are given), every benchmark and bench/RESULTS.md: bench/run.js.
exec node bench/run.js "$@"

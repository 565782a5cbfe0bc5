#!/usr/bin/env bash
# `npm run drill -- <name>`: builds, makes sure the store binaries are here, and runs drills/<name>.js,
# which starts its own stores, API, worker and SMTP server, injects its fault and prints PASS or FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

drills=$(cd drills && ls -- *.js | sed 's/\.js$//' | tr '\n' ' ')
name=${1:-}
[[ -n $name && -f drills/$name.js ]] || die "usage: npm run drill -- <name>; drills: $drills"
ensure_node_modules
# The drills start and stop stores themselves; these only pick and install the binaries.
unset MONGO_URL REDIS_URL
choose_mongo_store
choose_redis_store
node scripts/build.js
node "drills/$name.js"

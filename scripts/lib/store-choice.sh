# Which stores the scripts use: the ones MONGO_URL / REDIS_URL name, else the ones they start.
# Redis for the stores a script starts: the one REDIS_URL names, else a local redis-server (ensure_redis).
choose_redis_store() {
  if [[ -n ${REDIS_URL:-} ]]; then log "Redis: the one REDIS_URL names"; else ensure_redis; fi
}

# The MongoDB-compatible store, in order: a real mongod from mongodb-memory-server (MongoDB 7, cached
# under node_modules/.cache; a failed download is retried once a day), else FerretDB (built once with
# Go), else a message saying what to do. Sets MONGO_STORE=mongod (and MONGOD_BIN) or ferretdb, and
# logs one line. A MONGO_URL given is the choice (MONGO_STORE=url), and nothing is started for it.
MONGOD_UNAVAILABLE_MARKER="$TOOLS_DIR/mongod-unavailable"
choose_mongo_store() {
  local mongod reason=""
  if [[ -n ${MONGO_URL:-} ]]; then
    export MONGO_STORE=url
    log "MongoDB: the one MONGO_URL names"
    return 0
  fi
  mkdir -p "$TOOLS_DIR"
  if [[ -f $MONGOD_UNAVAILABLE_MARKER && -z $(find "$MONGOD_UNAVAILABLE_MARKER" -mmin +1440 2>/dev/null) ]]; then
    reason="$(cat "$MONGOD_UNAVAILABLE_MARKER") (retried daily; delete $MONGOD_UNAVAILABLE_MARKER to retry now)"
  elif mongod=$(node "$ROOT/scripts/mongod-binary.js" 2>"$TOOLS_DIR/mongod-binary.err"); then
    rm -f "$MONGOD_UNAVAILABLE_MARKER"
    export MONGO_STORE=mongod MONGOD_BIN=$mongod
    log "MongoDB: mongod from mongodb-memory-server ($mongod)"
    return 0
  else
    reason=$(cat "$TOOLS_DIR/mongod-binary.err")
    cp "$TOOLS_DIR/mongod-binary.err" "$MONGOD_UNAVAILABLE_MARKER"
  fi
  if [[ -x $FERRETDB_BIN ]] || command -v go >/dev/null; then
    ensure_ferretdb
    export MONGO_STORE=ferretdb
    unset MONGOD_BIN
    log "MongoDB: FerretDB $FERRETDB_VERSION ($FERRETDB_BIN); no mongod: $reason"
    return 0
  fi
  die "no MongoDB-compatible store: set MONGO_URL to a running MongoDB, or let mongodb-memory-server download mongod (it could not: $reason), or install Go (https://go.dev/dl/) so FerretDB can be built"
}

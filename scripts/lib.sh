#!/usr/bin/env bash
# Helpers shared by the project's scripts: install what is missing, start FerretDB and Redis on
# loopback, wait until they answer, stop them. Source it; it defines functions and a few paths.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT/.tools"
FERRETDB_VERSION="v1.24.2"
FERRETDB_BIN="$TOOLS_DIR/bin/ferretdb-$FERRETDB_VERSION"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"
  fi
}

# npm dependencies, reinstalled whenever package-lock.json is newer than the installed tree.
ensure_node_modules() {
  local marker="$ROOT/node_modules/.package-lock.json"
  if [[ ! -f $marker || $ROOT/package-lock.json -nt $marker ]]; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_redis() {
  command -v redis-server >/dev/null && return 0
  log "installing redis-server from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
}

# FerretDB is built from source once into .tools/ (no mongod binary can be downloaded here).
# A plain `go install` panics at start-up because the module lacks its generated version file,
# so we vendor the wrapper module in tools/ferretdb, add that file, and build from the vendor tree.
ensure_ferretdb() {
  [[ -x $FERRETDB_BIN ]] && return 0
  command -v go >/dev/null || die "Go is needed to build FerretDB (https://go.dev/dl/)"
  log "building FerretDB $FERRETDB_VERSION (once; takes a minute or two)"
  local build="$TOOLS_DIR/ferretdb-build"
  rm -rf "$build" && mkdir -p "$build" "$TOOLS_DIR/bin"
  cp "$ROOT"/tools/ferretdb/{go.mod,go.sum,tools.go} "$build/"
  (
    cd "$build"
    go mod vendor
    echo "$FERRETDB_VERSION" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt
    CGO_ENABLED=0 go build -mod=vendor -o "$FERRETDB_BIN.tmp" github.com/FerretDB/FerretDB/cmd/ferretdb
  )
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$build"
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 name=$2 log_file=$3
  for _ in $(seq 1 150); do
    port_open "$port" && return 0
    sleep 0.2
  done
  tail -n 20 "$log_file" >&2 || true
  die "$name did not start listening on 127.0.0.1:$port"
}

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Pid files of the stores this script started itself (not ones it found running), for clean-up.
STARTED_PID_FILES=()

stop_started_stores() {
  local file
  for file in "${STARTED_PID_FILES[@]}"; do stop_pid_file "$file"; done
}

refuse_busy_port() {
  port_open "$1" && die "port $1 is taken by another process; set $2 to another port"
  return 0
}

# start_ferretdb DATA_DIR PORT: starts FerretDB with its SQLite backend unless it already runs there.
start_ferretdb() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  if pid_alive "$dir/ferretdb.pid"; then log "FerretDB already running on $port"; return 0; fi
  refuse_busy_port "$port" FERRETDB_PORT
  "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$dir/" --listen-addr="127.0.0.1:$port" \
    --state-dir="$dir" --debug-addr=- --telemetry=disable --log-level=warn >"$dir/ferretdb.log" 2>&1 &
  echo $! >"$dir/ferretdb.pid"
  STARTED_PID_FILES+=("$dir/ferretdb.pid")
  wait_for_port "$port" FerretDB "$dir/ferretdb.log"
}

# start_redis DATA_DIR PORT PERSIST(yes|no): AOF persistence for the dev stack, none for tests.
start_redis() {
  local dir=$1 port=$2 persist=$3
  mkdir -p "$dir"
  if pid_alive "$dir/redis.pid"; then log "Redis already running on $port"; return 0; fi
  refuse_busy_port "$port" REDIS_PORT
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly "$persist" --save '' \
    --daemonize no --logfile "$dir/redis.log" >/dev/null 2>&1 &
  echo $! >"$dir/redis.pid"
  STARTED_PID_FILES+=("$dir/redis.pid")
  wait_for_port "$port" Redis "$dir/redis.log"
  for _ in $(seq 1 50); do
    [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.2
  done
  die "Redis on $port does not answer PING"
}

# stop_pid_file FILE: SIGTERM, then SIGKILL after 10 s.
stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

DEV_DATA_DIR="$ROOT/.data"

# Starts the dev stores in .data/ for whichever of MONGO_URL / REDIS_URL the caller did not give,
# and exports the URLs. Data survives restarts (FerretDB's SQLite files, Redis AOF).
# Throwaway FerretDB and Redis on free loopback ports, data under $1, unless MONGO_URL / REDIS_URL
# are given; exports both URLs. Callers stop them with stop_started_stores.
start_throwaway_stores() {
  local run_dir=$1 port
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
}

start_dev_stores() {
  if [[ -z ${MONGO_URL:-} ]]; then
    local mongo_port=${FERRETDB_PORT:-27017}
    ensure_ferretdb
    start_ferretdb "$DEV_DATA_DIR/ferretdb" "$mongo_port"
    export MONGO_URL="mongodb://127.0.0.1:$mongo_port/form_backend"
  fi
  if [[ -z ${REDIS_URL:-} ]]; then
    local redis_port=${REDIS_PORT:-6379}
    ensure_redis
    start_redis "$DEV_DATA_DIR/redis" "$redis_port" yes
    export REDIS_URL="redis://127.0.0.1:$redis_port"
  fi
}

stop_dev_stores() {
  stop_pid_file "$DEV_DATA_DIR/ferretdb/ferretdb.pid"
  stop_pid_file "$DEV_DATA_DIR/redis/redis.pid"
}

# A first run gets a .env with fresh secrets; later runs keep the developer's file as it is.
ensure_env_file() {
  [[ -f $ROOT/.env ]] && return 0
  log "creating .env from .env.example with generated secrets"
  sed -e "s|^JWT_SECRET=.*|JWT_SECRET=$(openssl rand -hex 32)|" \
    -e "s|^ADMIN_API_KEY=.*|ADMIN_API_KEY=$(openssl rand -hex 24)|" \
    "$ROOT/.env.example" >"$ROOT/.env"
}

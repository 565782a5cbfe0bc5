#!/usr/bin/env bash
# Helpers shared by the project's scripts: install what is missing, start FerretDB and Redis on
# loopback, wait until they answer, stop them. Source it; it defines functions and a few paths.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
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

# Redis: a `redis-server` on the PATH, else one installed with the system's package manager, else
# a message saying what to do. One log line says which.
ensure_redis() {
  if command -v redis-server >/dev/null; then
    log "Redis: $(redis-server --version | cut -d' ' -f1-3) on the PATH ($(command -v redis-server))"
    return 0
  fi
  local manager
  for manager in apt-get dnf brew; do command -v "$manager" >/dev/null && break || manager=""; done
  [[ -n $manager ]] || die "no Redis: set REDIS_URL to a running Redis 7, or install redis-server and put it on the PATH (no apt-get, dnf or brew here to install it with)"
  if [[ $manager != brew && $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
    die "no Redis: set REDIS_URL to a running Redis 7, or install redis-server (\`$manager install redis-server\` needs root, and there is no sudo)"
  fi
  log "Redis: not on the PATH; installing it with $manager"
  case $manager in
    apt-get)
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
      ;;
    dnf) as_root dnf install -y -q redis >/dev/null ;;
    brew) brew install --quiet redis >/dev/null ;;
  esac
  command -v redis-server >/dev/null || die "no Redis: $manager ran but no redis-server is on the PATH; set REDIS_URL or install it"
  log "Redis: $(redis-server --version | cut -d' ' -f1-3) installed with $manager"
}

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

# FerretDB is built from source once into .tools/ (no mongod binary can be downloaded here).
# A plain `go install` panics at start-up because the module lacks its generated version file,
# so we vendor the wrapper module in tools/ferretdb, add that file, and build from the vendor tree.
ensure_ferretdb() {
  [[ -x $FERRETDB_BIN ]] && return 0
  mkdir -p "$TOOLS_DIR"
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

# The deployment files' checkers: promtool (Debian's prometheus package) for the alert rules, and the
# Compose specification's own loader (compose-go, built once with Go into .tools/) for the compose file.
COMPOSE_CHECK_BIN="$TOOLS_DIR/bin/compose-check"
ensure_deploy_checkers() {
  if ! command -v promtool >/dev/null; then
    command -v apt-get >/dev/null || die "promtool is needed to check the alert rules: install Prometheus's promtool and put it on the PATH"
    log "installing promtool (Debian's prometheus package)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  if [[ ! -x $COMPOSE_CHECK_BIN || $ROOT/tools/compose-check/go.sum -nt $COMPOSE_CHECK_BIN ]]; then
    command -v go >/dev/null || die "Go is needed to build the compose file's validator (tools/compose-check; https://go.dev/dl/)"
    log "building the compose validator (compose-go, once)"
    mkdir -p "$TOOLS_DIR/bin"
    (cd "$ROOT/tools/compose-check" && CGO_ENABLED=0 go build -o "$COMPOSE_CHECK_BIN.tmp" .)
    mv "$COMPOSE_CHECK_BIN.tmp" "$COMPOSE_CHECK_BIN"
  fi
}

# Python 3 with its venv module, for the tools pinned from PyPI; $1 says who needs it.
ensure_python_venv() {
  command -v python3 >/dev/null || die "Python 3 is needed for $1"
  python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
  command -v apt-get >/dev/null || die "$1 needs Python's venv module (python3-venv)"
  log "installing python3-venv"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
}

# Schemathesis (the api-fuzz drill), pinned, from PyPI into its own virtualenv under .tools/.
SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS_VENV="$TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"
ensure_schemathesis() {
  [[ -f $SCHEMATHESIS_VENV/installed ]] && return 0
  ensure_python_venv "the api-fuzz drill (schemathesis)"
  log "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV (once)"
  # A virtualenv cannot be moved once made, so a marker file says the install finished.
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$SCHEMATHESIS_VENV/installed"
}

# SecantusDB, the second MongoDB-compatible engine the tests run on (WiredTiger inside: atomic updates,
# real indexes, duplicate keys on update, as MongoDB 7), pinned, from PyPI into its own virtualenv.
SECANTUS_VERSION="0.7.0b3"
SECANTUS_VENV="$TOOLS_DIR/secantusdb-$SECANTUS_VERSION"
ensure_secantus() {
  [[ -f $SECANTUS_VENV/installed ]] && return 0
  ensure_python_venv "SecantusDB"
  log "installing SecantusDB $SECANTUS_VERSION into $SECANTUS_VENV (once)"
  rm -rf "$SECANTUS_VENV"
  python3 -m venv "$SECANTUS_VENV"
  "$SECANTUS_VENV/bin/pip" install -q "secantusdb==$SECANTUS_VERSION"
  touch "$SECANTUS_VENV/installed"
}

# Mailpit, the dev stack's mail catcher (SMTP on 1025, web UI on 8025), built once with Go into .tools/.
# Answers 1 without Go: the dev stack then prints each email instead.
MAILPIT_VERSION="v1.27.11"
MAILPIT_BIN="$TOOLS_DIR/bin/mailpit-$MAILPIT_VERSION"
ensure_mailpit() {
  [[ -x $MAILPIT_BIN ]] && return 0
  command -v go >/dev/null || return 1
  log "building Mailpit $MAILPIT_VERSION (once; takes a minute or two)"
  mkdir -p "$TOOLS_DIR/bin"
  GOBIN="$TOOLS_DIR/mailpit-build" CGO_ENABLED=0 go install "github.com/axllent/mailpit@$MAILPIT_VERSION" || return 1
  mv "$TOOLS_DIR/mailpit-build/mailpit" "$MAILPIT_BIN"
  rm -rf "$TOOLS_DIR/mailpit-build"
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
  refuse_busy_port "$port" MONGO_PORT
  "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$dir/" --listen-addr="127.0.0.1:$port" \
    --state-dir="$dir" --debug-addr=- --telemetry=disable --log-level=warn >"$dir/ferretdb.log" 2>&1 &
  echo $! >"$dir/ferretdb.pid"
  STARTED_PID_FILES+=("$dir/ferretdb.pid")
  wait_for_port "$port" FerretDB "$dir/ferretdb.log"
}

# start_mongod DATA_DIR PORT: starts the chosen mongod (MONGOD_BIN) unless it already runs there.
start_mongod() {
  local dir=$1 port=$2
  mkdir -p "$dir/db"
  if pid_alive "$dir/mongod.pid"; then log "mongod already running on $port"; return 0; fi
  refuse_busy_port "$port" MONGO_PORT
  "$MONGOD_BIN" --dbpath "$dir/db" --port "$port" --bind_ip 127.0.0.1 >"$dir/mongod.log" 2>&1 &
  echo $! >"$dir/mongod.pid"
  STARTED_PID_FILES+=("$dir/mongod.pid")
  wait_for_port "$port" mongod "$dir/mongod.log"
}

# start_mongo_store DATA_DIR PORT: the store choose_mongo_store chose, data under DATA_DIR/<store>.
start_mongo_store() {
  local dir=$1 port=$2
  if [[ ${MONGO_STORE:-} == mongod ]]; then start_mongod "$dir/mongod" "$port"; else start_ferretdb "$dir/ferretdb" "$port"; fi
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
  choose_mongo_store
  if [[ $MONGO_STORE != url ]]; then
    port=$(free_port)
    start_mongo_store "$run_dir" "$port"
    export MONGO_URL="mongodb://127.0.0.1:$port/"
  fi
  choose_redis_store
  if [[ -z ${REDIS_URL:-} ]]; then
    port=$(free_port)
    start_redis "$run_dir/redis" "$port" no
    export REDIS_URL="redis://127.0.0.1:$port"
  fi
}

start_dev_stores() {
  choose_mongo_store
  if [[ $MONGO_STORE != url ]]; then
    local mongo_port=${MONGO_PORT:-27017}
    start_mongo_store "$DEV_DATA_DIR" "$mongo_port"
    export MONGO_URL="mongodb://127.0.0.1:$mongo_port/form_backend"
  fi
  choose_redis_store
  if [[ -z ${REDIS_URL:-} ]]; then
    local redis_port=${REDIS_PORT:-6379}
    start_redis "$DEV_DATA_DIR/redis" "$redis_port" yes
    export REDIS_URL="redis://127.0.0.1:$redis_port"
  fi
}

stop_dev_stores() {
  stop_pid_file "$DEV_DATA_DIR/mongod/mongod.pid"
  stop_pid_file "$DEV_DATA_DIR/ferretdb/ferretdb.pid"
  stop_pid_file "$DEV_DATA_DIR/redis/redis.pid"
}

# The dev stack's mail catcher on 127.0.0.1:1025 (SMTP): Mailpit with its web UI on :8025 when it can
# be built, else scripts/print-mail.js, which prints each email on the terminal. Exports SMTP_URL
# (the shell wins over .env) unless the caller named one; one log line says where to look.
start_mail_catcher() {
  if [[ -n ${SMTP_URL:-} ]]; then log "mail: sent to the SMTP_URL given"; return 0; fi
  local dir="$DEV_DATA_DIR/mail" smtp_port=${MAIL_PORT:-1025} ui_port=${MAIL_UI_PORT:-8025}
  mkdir -p "$dir"
  if pid_alive "$dir/mail.pid"; then
    log "mail: catcher already running (SMTP 127.0.0.1:$smtp_port)"
  elif ensure_mailpit; then
    refuse_busy_port "$smtp_port" MAIL_PORT
    "$MAILPIT_BIN" --smtp "127.0.0.1:$smtp_port" --listen "127.0.0.1:$ui_port" --database "$dir/mailpit.db" \
      --disable-version-check >"$dir/mailpit.log" 2>&1 &
    echo $! >"$dir/mail.pid"
    STARTED_PID_FILES+=("$dir/mail.pid")
    wait_for_port "$smtp_port" Mailpit "$dir/mailpit.log"
    log "mail: every email lands in Mailpit, http://127.0.0.1:$ui_port"
  else
    refuse_busy_port "$smtp_port" MAIL_PORT
    MAIL_PORT=$smtp_port node "$ROOT/scripts/print-mail.js" &
    echo $! >"$dir/mail.pid"
    STARTED_PID_FILES+=("$dir/mail.pid")
    wait_for_port "$smtp_port" "the mail printer" /dev/null
    log "mail: no Go to build Mailpit; every email is printed on this terminal"
  fi
  export SMTP_URL="smtp://127.0.0.1:$smtp_port"
}

# A first run gets a .env with fresh secrets; later runs keep the developer's file as it is.
ensure_env_file() {
  [[ -f $ROOT/.env ]] && return 0
  log "creating .env from .env.example with generated secrets"
  sed -e "s|^JWT_SECRET=.*|JWT_SECRET=$(openssl rand -hex 32)|" \
    -e "s|^ADMIN_API_KEY=.*|ADMIN_API_KEY=$(openssl rand -hex 24)|" \
    "$ROOT/.env.example" >"$ROOT/.env"
}

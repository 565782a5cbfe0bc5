# Processes the scripts start themselves (the dev stores, the mail catcher): waiting for a port to
# answer, pid files, starting and stopping. Throwaway stores on free ports are harness/stores.js's.

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

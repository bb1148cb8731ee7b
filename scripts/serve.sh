#!/usr/bin/env bash
# Runs CX Culture's processes in the foreground; Ctrl-C (or any of them stopping) stops them all.
#   scripts/serve.sh run     the demo: Flask's development server, one job worker process and the scheduler
#   scripts/serve.sh serve   the production shape: gunicorn (gunicorn.conf.py), the job worker and the scheduler,
#                            each a process of its own
# HOST and PORT say where the web server listens (127.0.0.1:5000). Without CXCULTURE_BROKER_URL, a Redis of our own
# is started on a unix socket under instance/ (nothing to set up) and stopped after the others.
set -euo pipefail
mode=${1:?usage: scripts/serve.sh run|serve}
cd "$(dirname "$0")/.."
bin=.venv/bin
host=${HOST:-127.0.0.1}
port=${PORT:-5000}
instance=$PWD/instance
mkdir -p "$instance"

pids=()
redis_pid=
stop() {
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [ -n "$redis_pid" ]; then  # last: the workers finish their tasks with the broker still there
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  echo "Stopped."
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${CXCULTURE_BROKER_URL:-}" ]; then
  socket=$instance/redis.sock
  # In a session of its own, so that Ctrl-C reaches it only through stop(), after the workers.
  setsid redis-server --port 0 --unixsocket "$socket" --unixsocketperm 700 --dir "$instance" \
    --save "" --appendonly no --logfile "$instance/redis.log" &
  redis_pid=$!
  for _ in $(seq 100); do
    [ -S "$socket" ] && break
    kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server did not start: see $instance/redis.log" >&2; exit 1; }
    sleep 0.1
  done
  export CXCULTURE_BROKER_URL="redis+socket://$socket"
  echo "Broker: Redis on $socket"
fi

celery=("$bin/celery" -A wsgi:celery_app)
case "$mode" in
  run)
    "${celery[@]}" worker --loglevel INFO --concurrency 1 &
    pids+=($!)
    "${celery[@]}" beat --loglevel INFO &
    pids+=($!)
    "$bin/flask" --app wsgi run --host "$host" --port "$port" &
    pids+=($!)
    ;;
  serve)
    "${celery[@]}" worker --loglevel INFO ${CXCULTURE_JOB_CONCURRENCY:+--concurrency "$CXCULTURE_JOB_CONCURRENCY"} &
    pids+=($!)
    "${celery[@]}" beat --loglevel INFO &
    pids+=($!)
    HOST=$host PORT=$port "$bin/gunicorn" -c gunicorn.conf.py &
    pids+=($!)
    ;;
  *)
    echo "usage: scripts/serve.sh run|serve" >&2
    exit 2
    ;;
esac
wait -n "${pids[@]}"  # the first to stop stops the others

#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server on loopback, then stops and removes it.
# The command sees CXCULTURE_TEST_DATABASE_URL pointing at an empty database.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql: sudo apt-get install -y postgresql" >&2
  exit 1
fi
port=${CXCULTURE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
workdir=$(mktemp -d /tmp/cxculture-pg.XXXXXX)
as_postgres() {
  # PostgreSQL refuses to run as root; use its own system account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$workdir"
cleanup() {
  as_postgres "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
as_postgres "$pg_bin/initdb" -D "$workdir/data" -A trust -U cxculture -E UTF8 --no-locale >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U cxculture cxculture_test
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
CXCULTURE_TEST_DATABASE_URL="postgresql+psycopg://cxculture@127.0.0.1:$port/cxculture_test" "$@"

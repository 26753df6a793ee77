#!/usr/bin/env bash
# A private PostgreSQL server for the test suite (the store tests run on it as well as on SQLite).
#
#   scripts/start-test-postgres.sh [start]   start (or reuse) it; print only its SQLAlchemy URL on stdout
#   scripts/start-test-postgres.sh stop      stop it (the cluster's files stay for the next run)
#
#   export TXLGUARD_TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)" && pytest tests/store
#
# If TXLGUARD_TEST_DATABASE_URL is already set, that server is used: `start` prints it and `stop`
# does nothing. Otherwise a cluster is created with initdb under $TXLGUARD_TEST_PG_DIR (default
# /tmp/txlguard-test-pg-<user>), owned by the postgres user when run as root, listening on
# 127.0.0.1 only, on a free port, with trust authentication — a scratch server for tests, never data.
set -euo pipefail

action="${1:-start}"
say() { echo "start-test-postgres: $*" >&2; }

if [ -n "${TXLGUARD_TEST_DATABASE_URL:-}" ]; then
  [ "$action" = "start" ] && echo "$TXLGUARD_TEST_DATABASE_URL"
  exit 0
fi

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then
  bindir="$(pg_config --bindir)"
fi
if [ -z "$bindir" ]; then
  say "no PostgreSQL server found (install the Debian package postgresql: scripts/install-system-deps.sh)"
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner="$(id -un)"
  as_owner() { "$@"; }
fi

root="${TXLGUARD_TEST_PG_DIR:-/tmp/txlguard-test-pg-$owner}"
data="$root/data"
dbname=txlguard_test

running() { [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

if [ "$action" = "stop" ]; then
  if running; then
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    say "stopped the server in $data"
  fi
  exit 0
fi
if [ "$action" != "start" ]; then
  say "unknown action: $action (start or stop)"
  exit 2
fi

if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$root"
  chown "$owner" "$root"
  chmod 700 "$root"
  say "initdb $data"
  as_owner "$bindir/initdb" -D "$data" --username=postgres --auth=trust --encoding=UTF8 --locale=C \
    >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; exit 1; }
fi

if running && [ -f "$root/port" ]; then
  port="$(cat "$root/port")"
else
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "$port" >"$root/port"
  say "starting PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
    -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 30 "$root/server.log" >&2; exit 1; }
fi

psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != "1" ]; then
  "${psql[@]}" -c "CREATE DATABASE $dbname" >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$port/$dbname"

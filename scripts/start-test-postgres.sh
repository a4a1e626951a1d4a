#!/bin/sh
# Starts a throwaway PostgreSQL cluster for the tests (records store) and prints the three
# environment values the tests read, one NAME=value a line on stdout (everything else goes to
# stderr), so a caller can do:  eval "$(sh scripts/start-test-postgres.sh)"; export RINGHOOK_TEST_PG_URL ...
# A fourth, RINGHOOK_TEST_PG_STARTED, is 1 when this run started the server (0 when it reused one),
# so the caller knows whether to stop it afterwards (scripts/stop-test-postgres.sh).
#
# The cluster lives in $RINGHOOK_PG_DIR (default /tmp/ringhook-pg), listens only on 127.0.0.1 at
# $RINGHOOK_PG_PORT (default 55432) and has a role `ringhook` (password `ringhook-test`) owning the
# database `ringhook_test`. Idempotent: a cluster already answering on that port is reused (the role
# and database are still checked). PostgreSQL refuses to run as root, so as root the server runs as
# the `postgres` user (created by Debian's postgresql package); as any other user it runs as that user.
# The binaries are Debian's, under /usr/lib/postgresql/<version>/bin (install with install-test-deps.sh).
set -eu

PGDIR="${RINGHOOK_PG_DIR:-/tmp/ringhook-pg}"
PORT="${RINGHOOK_PG_PORT:-55432}"
ROLE=ringhook
PASSWORD=ringhook-test
DB=ringhook_test

say() { printf 'start-test-postgres: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# The newest installed major version's binaries (sorted numerically: 9 < 10 < 15).
BIN="$(for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && echo "$d"; done \
  | sort -t/ -k5,5n | tail -n 1)"
[ -n "$BIN" ] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin: run scripts/install-test-deps.sh (Debian package postgresql)"

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "user postgres missing (it comes with Debian's postgresql package)"
  OWNER=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  OWNER="$(id -un)"
  as_owner() { "$@"; }
fi

DATA="$PGDIR/data"
LOG="$PGDIR/server.log"

STARTED=0
if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  STARTED=1
  if [ ! -d "$PGDIR" ]; then
    mkdir -p "$PGDIR"
    chown "$OWNER" "$PGDIR"
    chmod 700 "$PGDIR"
  fi
  [ "$(stat -c %U "$PGDIR")" = "$OWNER" ] || die "$PGDIR exists but is owned by $(stat -c %U "$PGDIR"), not $OWNER: remove it or set RINGHOOK_PG_DIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    say "initdb $DATA ($BIN)"
    # Superuser over the Unix socket only (trust, socket in $PGDIR, mode 0700); TCP needs a password.
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 || die "initdb failed, see $PGDIR/initdb.log"
  fi
  say "starting PostgreSQL on 127.0.0.1:$PORT (log $LOG)"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$PGDIR -c fsync=off" start >&2 \
    || die "pg_ctl start failed; last lines of $LOG: $(tail -n 5 "$LOG" 2>/dev/null)"
else
  say "reusing the PostgreSQL already answering on 127.0.0.1:$PORT"
fi

[ -S "$PGDIR/.s.PGSQL.$PORT" ] || die "a server answers on 127.0.0.1:$PORT but its socket is not in $PGDIR: another cluster holds the port; set RINGHOOK_PG_PORT"

psql_su() { as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p "$PORT" -U postgres -d postgres "$@"; }

if [ "$(psql_su -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  say "creating role $ROLE"
  psql_su -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" || die "CREATE ROLE failed"
fi
if [ "$(psql_su -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  say "creating database $DB"
  psql_su -c "CREATE DATABASE $DB OWNER $ROLE" || die "CREATE DATABASE failed"
fi

# Prove the tests' credentials work over TCP before handing them out.
PGPASSWORD="$PASSWORD" "$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" -tAc 'SELECT 1' >/dev/null \
  || die "cannot log in as $ROLE to $DB on 127.0.0.1:$PORT"
say "ready: $("$BIN/postgres" --version)"

echo "RINGHOOK_TEST_PG_URL=jdbc:postgresql://127.0.0.1:$PORT/$DB"
echo "RINGHOOK_TEST_PG_USER=$ROLE"
echo "RINGHOOK_TEST_PG_PASSWORD=$PASSWORD"
echo "RINGHOOK_TEST_PG_STARTED=$STARTED"

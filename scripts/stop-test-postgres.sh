#!/bin/sh
# Stops the throwaway PostgreSQL cluster that scripts/start-test-postgres.sh started (same
# RINGHOOK_PG_DIR, default /tmp/ringhook-pg). Its data stays, so the next start is quick; remove the
# directory to start afresh. Does nothing when no server of that directory is running.
set -eu

PGDIR="${RINGHOOK_PG_DIR:-/tmp/ringhook-pg}"
DATA="$PGDIR/data"

say() { printf 'stop-test-postgres: %s\n' "$*" >&2; }

BIN="$(for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && echo "$d"; done | sort -t/ -k5,5n | tail -n 1)"
[ -n "$BIN" ] || { say "no PostgreSQL installed: nothing to stop"; exit 0; }
[ -f "$DATA/postmaster.pid" ] || { say "no server running in $DATA"; exit 0; }

if [ "$(id -u)" -eq 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi
say "stopping PostgreSQL in $DATA"
as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2

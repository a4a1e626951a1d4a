#!/usr/bin/env bash
# Runs the whole test suite: unit tests (Surefire) and integration tests against real peers
# (Failsafe). Installs what the tests need from Debian's packages first (baresip, sox, postgresql,
# kamailio, chromium and chromium-driver for the console's browser tests) and starts a throwaway
# PostgreSQL on 127.0.0.1:55432 for the records and cluster tests, whose URL, user and password
# reach the tests as RINGHOOK_TEST_PG_URL/USER/PASSWORD. A PostgreSQL this script started
# is stopped when the tests end (pass, fail or Ctrl-C); one that was already running is left so.
# RINGHOOK_KEEP_PG=1 keeps it running for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
pg_env="$(sh scripts/start-test-postgres.sh)"
eval "$pg_env"
export RINGHOOK_TEST_PG_URL RINGHOOK_TEST_PG_USER RINGHOOK_TEST_PG_PASSWORD
if [ "${RINGHOOK_TEST_PG_STARTED:-0}" = 1 ] && [ -z "${RINGHOOK_KEEP_PG:-}" ]; then
  trap 'sh scripts/stop-test-postgres.sh || true' EXIT
fi
mvn -B verify "$@"

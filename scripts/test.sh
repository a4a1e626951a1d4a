#!/usr/bin/env bash
# Runs the whole test suite: unit tests (Surefire) and integration tests against real peers
# (Failsafe). Installs what the tests need from Debian's packages first (baresip, sox).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
exec mvn -B verify "$@"

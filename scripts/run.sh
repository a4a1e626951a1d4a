#!/usr/bin/env bash
# Builds ringhook and runs it. With no arguments it runs on the embedded default configuration
# (SIP on 0.0.0.0:5060 UDP+TCP, calls accepted from loopback and private networks, every call
# answered by the built-in echo agent). Extra arguments go to the server, e.g. --config FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -jar server/target/ringhook.jar "$@"

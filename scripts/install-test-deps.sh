#!/bin/sh
# Installs the Debian packages the tests drive: baresip (headless SIP user agent, package
# baresip-core), sox, postgresql (the server the records tests run against, started by
# scripts/start-test-postgres.sh in a throwaway cluster of its own), kamailio (the SIP proxy in
# front of the cluster test's two instances, started by ClusterIT itself on loopback ports; its
# modules all ship in the one package), and chromium with chromium-driver (the headless browser
# the console's tests drive through Selenium). Idempotent: does nothing when all are present. Run
# as root (or with sudo available). Exits non-zero with a message when anything is missing
# afterwards.
# RINGHOOK_TEST_PACKAGES overrides the package list (for testing this script).
set -eu

PACKAGES="${RINGHOOK_TEST_PACKAGES:-baresip-core sox postgresql kamailio chromium chromium-driver}"

say() { printf 'install-test-deps: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

installed() { # installed PACKAGE -> 0 when dpkg reports it fully installed
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=""
for p in $PACKAGES; do
  installed "$p" || missing="$missing $p"
done
missing="${missing# }"

if [ -z "$missing" ]; then
  say "already installed: $PACKAGES"
else
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $missing by hand (Debian/Ubuntu packages)"
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    die "not root and no sudo: run as root to install $missing"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they are absent or too old to know the packages.
  # shellcheck disable=SC2086
  if ! apt-cache show $missing >/dev/null 2>&1; then
    say "apt-get update"
    $SUDO apt-get update -q || die "apt-get update failed"
  fi
  say "installing: $missing"
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing || die "apt-get install $missing failed"
fi

# Check what the tests actually use, not only what dpkg says.
command -v baresip >/dev/null 2>&1 || die "baresip is not on the PATH after installing baresip-core"
command -v sox >/dev/null 2>&1 || die "sox is not on the PATH after installing sox"
for m in account menu ctrl_tcp g711 aufile ausine sndfile; do
  [ -f "/usr/lib/baresip/modules/$m.so" ] || die "baresip module $m.so missing from /usr/lib/baresip/modules"
done
pg_bin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] && pg_bin="$d"
done
[ -n "$pg_bin" ] || die "no PostgreSQL server (initdb, pg_ctl, postgres, psql) under /usr/lib/postgresql/*/bin after installing postgresql"
id postgres >/dev/null 2>&1 || die "user postgres missing after installing postgresql"
[ -x /usr/sbin/kamailio ] || die "/usr/sbin/kamailio missing after installing kamailio"
# The cluster's front configuration must load with the modules the package ships (dispatcher,
# permissions, pike, pipelimit, tm, rr, ...): a syntax check of the very file ClusterIT runs.
cfg="$(dirname "$0")/../deploy/kamailio/kamailio.cfg"
/usr/sbin/kamailio -c -f "$cfg" >/dev/null 2>&1 || die "kamailio cannot load $cfg: run /usr/sbin/kamailio -c -f $cfg"
command -v chromium >/dev/null 2>&1 || die "chromium is not on the PATH after installing chromium"
command -v chromedriver >/dev/null 2>&1 || die "chromedriver is not on the PATH after installing chromium-driver"
say "ok: $(baresip -h 2>&1 | head -n 1 || true); $("$pg_bin/postgres" --version); $(/usr/sbin/kamailio -v 2>&1 | head -n 1); $(chromium --version 2>/dev/null || true)"

#!/usr/bin/env bash
# Make sure what the test suite needs is running: PostgreSQL, Redis, Chromium for browser tests, and GNU
# gettext for the translation test.
# Installs the Debian packages when missing and running as root; otherwise says exactly what to do.
set -euo pipefail

PGHOST=127.0.0.1 PGPORT=${PGPORT:-5432} REDIS_PORT=${REDIS_PORT:-6379}
say() { echo "[test-services] $*"; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=0
apt_install() {
  if ! is_root || ! command -v apt-get >/dev/null; then
    say "Missing: $*. Install it, e.g.: sudo apt-get install -y $*"; exit 1
  fi
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- PostgreSQL ---------------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h $PGHOST -p "$PGPORT" 2>/dev/null; then
  apt_install postgresql
fi
if ! pg_isready -q -h $PGHOST -p "$PGPORT"; then
  if ! is_root; then
    say "PostgreSQL is not running on $PGHOST:$PGPORT. Start it (e.g. sudo pg_ctlcluster 15 main start) and re-run."; exit 1
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main -p "$PGPORT" >/dev/null
  fi
  say "starting PostgreSQL $version"
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h $PGHOST -p "$PGPORT" && break; sleep 0.5; done
fi
# The test role may create databases: pytest-django creates and drops its own test database.
if ! PGPASSWORD=upr psql -h $PGHOST -p "$PGPORT" -U upr -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  if ! is_root; then
    say "Create the test role: sudo -u postgres psql -c \"CREATE ROLE upr LOGIN PASSWORD 'upr' CREATEDB\""; exit 1
  fi
  say "creating role upr"
  runuser -u postgres -- psql -q -p "$PGPORT" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='upr') THEN CREATE ROLE upr LOGIN PASSWORD 'upr' CREATEDB; ELSE ALTER ROLE upr LOGIN PASSWORD 'upr' CREATEDB; END IF; END\$\$;"
  runuser -u postgres -- psql -q -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname='upr'" | grep -q 1 \
    || runuser -u postgres -- createdb -p "$PGPORT" -O upr upr
fi

# --- Redis --------------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
if ! redis-cli -h $PGHOST -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting Redis on port $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

# --- GNU gettext: the translation test gathers the code's messages with xgettext ------------------
if ! command -v xgettext >/dev/null || ! command -v msgmerge >/dev/null; then apt_install gettext; fi

# --- Chromium for the browser journeys ----------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi

say "PostgreSQL, Redis, gettext and Chromium are ready."

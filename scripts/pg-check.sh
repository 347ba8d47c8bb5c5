#!/usr/bin/env bash
# Fails (never skips) when the PostgreSQL used by the tests is unreachable.
set -euo pipefail
url="${1:?usage: pg-check.sh URL}"
if command -v psql >/dev/null 2>&1; then
  if ! psql "$url" -qtAc 'select 1' >/dev/null 2>&1; then
    echo "PostgreSQL is unreachable at $url." >&2
    echo "Start it (e.g. pg_ctlcluster --skip-systemctl-redirect 15 main start, or .ci/run does it) or set TEST_DATABASE_URL." >&2
    exit 1
  fi
  echo "PostgreSQL reachable at ${url%%\?*}: the postgres half of the tests will run."
else
  echo "psql not found; the postgres tests will connect directly to $url and fail if it is unreachable."
fi

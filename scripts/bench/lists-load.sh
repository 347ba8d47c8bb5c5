#!/bin/bash
# Read load over a database seeded by lists-setup.sh: lists-load.sh DBNAME USER SCOPE PATH...
# Starts the release server on DBNAME, then for each PATH (`{scope}` replaced by SCOPE) runs
# `appeals-bench load --read PATH` as USER with CLIENTS clients (default 32) for D seconds
# (default 15) and prints one line per path: pages/s, p50, p99, max (ms), statuses.
BIN=${BIN:-target/release}
DB=$1 USER_NAME=$2 SCOPE=$3; shift 3
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" APPEALS_ENV=dev \
  BIND=${BIND:-127.0.0.1:18933} RUST_LOG=warn
"$BIN/appeals" serve > "${TMPDIR:-/tmp}/appeals-lists-serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -sf "http://$BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
for P in "$@"; do
  P=${P//\{scope\}/$SCOPE}
  OUT=$(APPEALS_BENCH_PASSWORD=bench-password-1 "$BIN/appeals-bench" load --url "http://$BIND" \
    --username "$USER_NAME" --clients "${CLIENTS:-32}" --duration "${D:-15}" --read "$P" 2>&1)
  RATE=$(grep -o '= [0-9]*/s' <<<"$OUT" | head -1)
  LAT=$(grep -o 'p50 [0-9.]*.*max [0-9.]*' <<<"$OUT" | sed 's/  p90 [0-9.]*//')
  ST=$(grep -o 'responses by status: .*' <<<"$OUT" | cut -d: -f2-)
  echo "$USER_NAME | $P | ${RATE#= } | $LAT |$ST"
done
kill $SP; wait $SP 2>/dev/null

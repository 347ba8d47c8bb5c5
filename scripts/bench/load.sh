#!/bin/bash
# One load run: load.sh DATABASE_URL CLIENTS SECONDS [skip] — starts `appeals serve` (with
# APPEALS_BENCH_SKIP_DUPLICATE_CHECK=true when `skip`), runs `appeals-bench load`, stops the server.
BIN=${BIN:-target/release}
export DATABASE_URL=$1 APPEALS_ENV=dev BIND=${BIND:-127.0.0.1:18932} RUST_LOG=warn
[ "$4" = skip ] && export APPEALS_BENCH_SKIP_DUPLICATE_CHECK=true
"${SERVER:-$BIN/appeals}" serve > "${TMPDIR:-/tmp}/appeals-bench-serve.log" 2>&1 &
SP=$!
for _ in $(seq 50); do curl -sf "http://$BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
APPEALS_BENCH_PASSWORD=bench-password-1 "$BIN/appeals-bench" load --url "http://$BIND" \
  --username reg1 --clients "$2" --duration "$3" 2>&1 | tail -4
kill $SP; wait $SP 2>/dev/null

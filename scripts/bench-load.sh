#!/usr/bin/env bash
# `make bench-load`: a bounded smoke of the registration load benchmark (issue 4, point 10).
# A throw-away SQLite database in a temp folder, 2,000 seeded appeals, a server on a free loopback
# port, then 8 clients for 10 s. Full runs (1,000,000 seeded, PostgreSQL, release build) are
# described in docs/performance.md, "Registration load (issue 4)".
set -euo pipefail
profile="${BENCH_PROFILE:-debug}"
bin="target/$profile"
for b in appeals appeals-bench; do
  [[ -x "$bin/$b" ]] || { echo "missing $bin/$b (cargo build -p appeals-api -p appeals-bench)" >&2; exit 1; }
done
dir="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$dir/bench.db" APPEALS_ENV=dev BIND="127.0.0.1:$port" RUST_LOG=warn
password="load-$(date +%s%N)"
"$bin/appeals" migrate >/dev/null
"$bin/appeals" subject create --code BENCH --name-ru 'Аппарат акима (нагрузочный тест)' >/dev/null
APPEALS_PASSWORD="$password" "$bin/appeals" user create --username bench --subject BENCH --role registrar >/dev/null
timeout 60 "$bin/appeals-bench" seed --count "${BENCH_SEED:-2000}" --batch 1000
"$bin/appeals" serve >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
APPEALS_BENCH_PASSWORD="$password" timeout 30 "$bin/appeals-bench" load \
  --url "http://127.0.0.1:$port" --username bench \
  --clients "${BENCH_CLIENTS:-8}" --duration "${BENCH_SECONDS:-10}"

#!/bin/bash
# The server's peak RSS while it streams a whole appeal list as CSV (issue 25): DB=/path/to.db
# (seeded with `appeals-bench seed --database-url sqlite://$DB --count N --no-dedup-index` and a
# registrar reg1 / bench-password-1, as scripts/bench/setup.sh makes them), BIN=target/debug.
export DATABASE_URL=sqlite://${DB:-/tmp/csvm.db} APPEALS_ENV=dev BIND=127.0.0.1:18099 RUST_LOG=warn
${BIN:-target/debug}/appeals serve > /tmp/csv-rss-server.log 2>&1 &
PID=$!
for i in $(seq 1 60); do curl -s http://127.0.0.1:18099/healthz >/dev/null && break; sleep 1; done
TOKEN=$(curl -s -X POST http://127.0.0.1:18099/api/v1/auth/token -H 'Content-Type: application/json' -d '{"username":"reg1","password":"bench-password-1"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
before=$(grep VmHWM /proc/$PID/status)
start=$(date +%s.%N)
rows=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Accept: text/csv' 'http://127.0.0.1:18099/api/v1/appeals?all=true' | wc -l)
end=$(date +%s.%N)
after=$(grep -E "VmHWM|VmRSS" /proc/$PID/status | tr '\n' ' ')
echo "lines $rows in $(echo "$end - $start" | bc) s; before: $before; after: $after"
kill $PID; wait $PID 2>/dev/null

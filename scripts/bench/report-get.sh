#!/bin/bash
# Times report 1-ОЛ on a seeded database: report-get.sh DBNAME [YEAR] [MONTH] — starts `appeals
# serve` (release), signs in as `analyst` (the authorized body: every subject), then GETs the
# report for a whole year (cumulative to MONTH, default December of last year) RUNS times (default
# 5) as JSON and once as XLSX, printing each wall time; stops the server. See report-setup.sh.
BIN=${BIN:-target/release}
DB=$1; YEAR=${2:-$(( $(date +%Y) - 1 ))}; MONTH=${3:-12}; RUNS=${RUNS:-5}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" APPEALS_ENV=dev \
  BIND=${BIND:-127.0.0.1:18933} RUST_LOG=warn APPEALS_REPORT_FOLD_SECONDS=0
"$BIN/appeals" serve > "${TMPDIR:-/tmp}/appeals-report-serve.log" 2>&1 &
SP=$!
for _ in $(seq 100); do curl -sf "http://$BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
TOKEN=$(curl -sf -X POST "http://$BIND/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"analyst","password":"bench-password-1"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
URL="http://$BIND/api/v1/reports/1-ol?year=$YEAR&month=$MONTH"
for i in $(seq "$RUNS"); do
  curl -s -o /tmp/report.json -w "json run $i: %{time_total} s, %{size_download} bytes, HTTP %{http_code}\n" \
    -H "Authorization: Bearer $TOKEN" "$URL"
done
curl -s -o /tmp/report.xlsx -w "xlsx: %{time_total} s, %{size_download} bytes, HTTP %{http_code}\n" \
  -H "Authorization: Bearer $TOKEN" \
  -H 'Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' "$URL"
grep VmHWM "/proc/$SP/status" | sed 's/^/server peak memory: /'
kill $SP; wait $SP 2>/dev/null

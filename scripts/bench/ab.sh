#!/bin/bash
# Interleaved runs on one PostgreSQL database: ab.sh DBNAME "0 skip 4 …" — a number sets
# `appeals dedup probe-others --bands N` and runs with the check, `skip` runs without it; C clients
# (default 32), D seconds (default 20). The hot small tables are vacuumed before each run (the
# installed server runs with autovacuum off). Ends with the mean of each kind of run against the
# targets: issue 4 (≥ 1,000/s, p99 < 50 ms at 32 clients) and issue 5 (with the check ≥ 80 % of
# the figure without it).
DIR=$(dirname "$0"); BIN=${BIN:-target/release}
U="postgres://postgres@127.0.0.1:5432/$1?sslmode=disable"
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT
for p in $2; do
  psql -U postgres -h 127.0.0.1 -d "$1" -qc "VACUUM counters, settings, config_versions"
  if [ "$p" = skip ]; then echo "== without the check"; "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" skip | sed -n 1,2p
  else DATABASE_URL=$U "$BIN/appeals" dedup probe-others --bands "$p" >/dev/null
    echo "== with the check, probe-others $p"; "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" | sed -n 1,2p; fi
done | tee "$OUT"
awk '
  /^== without/ { kind = "without" } /^== with the check/ { kind = "with" }
  /registrations\/s/ { match($0, /= [0-9.]+ registrations/); rate[kind] += substr($0, RSTART + 2, RLENGTH - 16); n[kind]++ }
  /p99/ { match($0, /p99 [0-9.]+/); p = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (p > worst[kind] + 0) worst[kind] = p }
  END {
    for (k in n) printf "mean %s the check: %.0f/s over %d run(s), worst p99 %.1f ms\n", k, rate[k] / n[k], n[k], worst[k]
    if (n["with"] && n["without"]) printf "with/without: %.0f %% (issue 5 target: at least 80 %%)\n", 100 * (rate["with"] / n["with"]) / (rate["without"] / n["without"])
  }' "$OUT"

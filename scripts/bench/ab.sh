#!/bin/bash
# Interleaved runs on one PostgreSQL database: ab.sh DBNAME "0 skip 4 …" — a number sets
# `appeals dedup probe-others --bands N` and runs with the check, `skip` runs without it; C clients
# (default 32), D seconds (default 20). The hot small tables are vacuumed before each run (the
# installed server runs with autovacuum off).
DIR=$(dirname "$0"); BIN=${BIN:-target/release}
U="postgres://postgres@127.0.0.1:5432/$1?sslmode=disable"
for p in $2; do
  psql -U postgres -h 127.0.0.1 -d "$1" -qc "VACUUM counters, settings, config_versions"
  if [ "$p" = skip ]; then echo "== without the check"; "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" skip | sed -n 1,2p
  else DATABASE_URL=$U "$BIN/appeals" dedup probe-others --bands "$p" >/dev/null
    echo "== with the check, probe-others $p"; "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" | sed -n 1,2p; fi
done

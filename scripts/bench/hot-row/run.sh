#!/bin/bash
# run.sh DBNAME — 32 clients, 20 s each: one counter row, 16 shards, appended changes.
cd "$(dirname "$0")"
psql -U postgres -h 127.0.0.1 -d "$1" -qf setup.sql
for s in upsert1 upsert16 append; do
  printf '%s: ' "$s"
  pgbench -U postgres -h 127.0.0.1 -n -c 32 -j 2 -T 20 -f "$s.sql" "$1" 2>/dev/null \
    | grep -E "^tps|latency average" | tr '\n' ' '; echo
done
psql -U postgres -h 127.0.0.1 -d "$1" -qc "DROP TABLE hot_counts, hot_changes"

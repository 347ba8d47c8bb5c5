#!/bin/bash
# Seeds a PostgreSQL database for the list, work-list and search benchmark (issue 25):
# lists-setup.sh DBNAME — COUNT appeals (default 10,000,000) over SUBJECTS district subjects
# (default 200, under 20 regions and one root), 730 days back, with the search index filled as the
# card write path fills it (NO_SEARCH=1: not filled) and without the duplicate index (no list reads
# it). Three readers: `dreg` (registrar of one district: its own cards), `rhead` (head of a region:
# its subtree of ten districts) and `analyst` (the authorized body: every subject). Release binaries from BIN
# (default target/release). docs/performance.md names the figures.
set -e
BIN=${BIN:-target/release}
DB=$1
source "$(dirname "$0")/national-db.sh"
time "$BIN/appeals-bench" seed --count "${COUNT:-10000000}" --batch 10000 --no-dedup-index ${NO_SEARCH:+--no-search-index} \
  --spread-subjects "${SUBJECTS:-200}" --username reg1
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username dreg --subject BENCH-R01-D001 --role registrar
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username rhead --subject BENCH-R01 --role head
psql -U postgres -h 127.0.0.1 -d "$DB" -Atc "SELECT pg_size_pretty(pg_database_size(current_database())) || ' database'"

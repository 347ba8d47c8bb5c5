#!/bin/bash
# Seeds a PostgreSQL database for the report 1-ОЛ benchmark: report-setup.sh DBNAME
# COUNT appeals (default 10,000,000) over SUBJECTS subjects of a hierarchy (default 200), 730 days
# back, DECIDED % of them with a final act (default 70), without the duplicate index (the report
# does not read it); then `appeals report rebuild` recounts every card into the kept counts.
# Release binaries from BIN (default target/release). docs/performance.md names the figures.
set -e
BIN=${BIN:-target/release}
DB=$1
source "$(dirname "$0")/national-db.sh"
time "$BIN/appeals-bench" seed --count "${COUNT:-10000000}" --batch 10000 --no-dedup-index --no-search-index \
  --spread-subjects "${SUBJECTS:-200}" --decided-percent "${DECIDED:-70}"
psql -U postgres -h 127.0.0.1 -d "$DB" -qc "VACUUM ANALYZE"
time /usr/bin/time -v "$BIN/appeals" report rebuild 2>&1 | grep -E "recounted|Maximum resident|Elapsed"
psql -U postgres -h 127.0.0.1 -d "$DB" -Atc "SELECT count(*) || ' count rows' FROM report_counts"

#!/bin/bash
# Wall time per registration by statement: stmtprof.sh DBNAME CLIENTS SECONDS [skip] — logs every
# statement of one run (log_min_duration_statement = 0 for the database) and sums the durations.
DIR=$(dirname "$0"); DB=$1; L=${PGLOG:-/var/log/postgresql/postgresql-15-main.log}
U="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
psql -U postgres -h 127.0.0.1 -qc "ALTER DATABASE $DB SET log_min_duration_statement = 0"
n0=$(wc -l < "$L")
out=$("$DIR/load.sh" "$U" "$2" "$3" "$4" | sed -n 1p); echo "$out"
psql -U postgres -h 127.0.0.1 -qc "ALTER DATABASE $DB RESET log_min_duration_statement"
reg=$(echo "$out" | sed -E 's/.*; ([0-9]+) registered.*/\1/')
tail -n +$((n0+1)) "$L" | grep "duration:" \
  | sed -E 's/.*duration: ([0-9.]+) ms  (execute [^:]*|statement|parse [^:]*|bind [^:]*): (.{0,70}).*/\1\t\3/' \
  | awk -F'\t' -v reg="$reg" '{t[$2]+=$1; n[$2]++} END {for (k in t) printf "%7.3f ms %6.2f  %s\n", t[k]/reg, n[k]/reg, k}' \
  | sort -rn | head -25

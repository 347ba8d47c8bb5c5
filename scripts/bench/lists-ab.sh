#!/bin/bash
# Old binary against new over the list paths of a database seeded by lists-setup.sh, interleaved:
# lists-ab.sh DBNAME OLD_BIN_DIR NEW_BIN_DIR [ROUNDS] — for each round and binary, a region's head
# (`rhead`), the authorized body (`analyst`) and a district's registrar (`dreg`) read the summary
# list with each filter for D seconds (default 10); one line per path (lists-load.sh).
DB=$1 OLD=$2 NEW=$3
TAG=%D0%BE%D0%B1%D1%80%D0%B0%D0%B7%D0%BE%D0%B2%D0%B0%D0%BD%D0%B8%D0%B5 # образование
S=/api/v1/appeals/summaries?limit=50
LOAD="$(dirname "$0")/lists-load.sh"
for r in $(seq "${4:-2}"); do
  for B in "$OLD" "$NEW"; do
    echo "== $B round $r"
    BIN=$B D=${D:-10} "$LOAD" "$DB" rhead subtree "$S" "$S&tag=$TAG" "$S&marking=collective" \
      "$S&kind=complaint" "$S&status=registered" "$S&from=2026-01-01&to=2026-01-31" \
      "$S&deemed_refusal=true" "$S&overdue=true"
    BIN=$B D=${D:-10} "$LOAD" "$DB" analyst all "$S&from=2026-01-01&to=2026-01-31" "$S&tag=$TAG" \
      "$S&overdue=true" "$S&deemed_refusal=true"
    BIN=$B D=${D:-10} "$LOAD" "$DB" dreg own "$S&tag=$TAG" "$S&marking=collective"
  done
done

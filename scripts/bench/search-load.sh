#!/bin/bash
# Search load over a database seeded by lists-setup.sh (with the search index): search-load.sh
# DBNAME [USER...] — the five queries of docs/performance.md ("Search at scale"), `limit=20`, for
# each reader (default: dreg, rhead, analyst — a district, a region, the nation), CLIENTS clients
# (default 4) for D seconds (default 10) each, through lists-load.sh (one line per query).
DIR=$(dirname "$0"); DB=$1; shift
S=/api/v1/appeals/search?limit=20\&q=
QUERIES=(
  "${S}%D0%90%D1%85%D0%BC%D0%B5%D1%82%D0%BE%D0%B2"                                          # Ахметов
  "${S}%D0%BE%D1%82%D0%BE%D0%BF%D0%BB%D0%B5%D0%BD%D0%B8%D1%8F%20%D0%90%D0%B1%D0%B0%D1%8F"  # отопления Абая
  "${S}%D0%B2%D0%BE%D0%B4%D0%BE%D0%BF%D1%80%D0%BE%D0%B2%D0%BE%D0%B4%D0%B0"                  # водопровода
  "${S}%D0%B6%D1%8B%D0%BB%D1%83%D0%B4%D1%8B"                                                # жылуды
  "${S}%D0%A1%D0%B0%D1%82%D0%BF%D0%B0%D0%B5%D0%B2%D0%B0%20%D0%90%D0%BB%D0%BC%D0%B0%D1%82%D1%8B" # Сатпаева Алматы
)
USERS=${*:-dreg rhead analyst}
for u in $USERS; do
  CLIENTS=${CLIENTS:-4} D=${D:-10} "$DIR/lists-load.sh" "$DB" "$u" - "${QUERIES[@]}"
done

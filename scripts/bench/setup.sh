#!/bin/bash
# Seeds a benchmark database: setup.sh DBNAME (PostgreSQL on 127.0.0.1:5432, dropped and recreated)
# or setup.sh sqlite:/path/file.db; COUNT appeals (default 1,000,000). Release binaries from
# BIN (default target/release). docs/performance.md names the figures measured with it.
set -e
BIN=${BIN:-target/release}
DB=$1
if [[ $DB == sqlite:* ]]; then
  F=${DB#sqlite:}; rm -f "$F" "$F-wal" "$F-shm"; URL=sqlite://$F
else
  dropdb -U postgres -h 127.0.0.1 --if-exists "$DB"; createdb -U postgres -h 127.0.0.1 "$DB"
  URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
fi
export DATABASE_URL=$URL APPEALS_ENV=dev
"$BIN/appeals" migrate
"$BIN/appeals" subject create --code AKIMAT-ALA --name-ru "Акимат города Алматы"
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username reg1 --subject AKIMAT-ALA --role registrar
time "$BIN/appeals-bench" seed --count "${COUNT:-1000000}" --batch 5000

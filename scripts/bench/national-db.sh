# Sourced by report-setup.sh and lists-setup.sh: (re)creates the PostgreSQL database $DB, migrates
# it with $BIN/appeals and adds the authorized body (KPSISU) with its `analyst` and a registrar
# `reg1` of AKIMAT-ALA, who registers the seeded cards. Exports DATABASE_URL.
dropdb -U postgres -h 127.0.0.1 --if-exists "$DB"; createdb -U postgres -h 127.0.0.1 "$DB"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" APPEALS_ENV=dev
"$BIN/appeals" migrate
"$BIN/appeals" subject create --code KPSISU --name-ru "Комитет по правовой статистике" --authorized-body
"$BIN/appeals" subject create --code AKIMAT-ALA --name-ru "Акимат города Алматы"
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username reg1 --subject AKIMAT-ALA --role registrar
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username analyst --subject KPSISU --role analyst

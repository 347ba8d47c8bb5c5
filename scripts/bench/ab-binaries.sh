#!/bin/bash
# Old binary against new on one PostgreSQL database, interleaved: ab-binaries.sh DBNAME OLD NEW [ROUNDS]
# Each round runs, for each binary, one load without the duplicate check and one with it (C
# clients, default 32; D seconds, default 20); the load tool and the seeded database are shared.
# Ends with the mean of each kind of run per binary and the new/old ratio (issue 17: within 5 %).
DIR=$(dirname "$0")
U="postgres://postgres@127.0.0.1:5432/$1?sslmode=disable"; OLD=$2; NEW=$3; ROUNDS=${4:-3}
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT
for r in $(seq "$ROUNDS"); do
  for side in old new; do
    bin=$OLD; [ "$side" = new ] && bin=$NEW
    for mode in skip check; do
      psql -U postgres -h 127.0.0.1 -d "$1" -qc "VACUUM counters, settings, config_versions"
      echo "== $side $mode"
      if [ "$mode" = skip ]; then SERVER=$bin "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" skip | sed -n 1,2p
      else SERVER=$bin "$DIR/load.sh" "$U" "${C:-32}" "${D:-20}" | sed -n 1,2p; fi
    done
  done
done | tee "$OUT"
awk '
  /^== / { key = $2 " " $3 }
  /registrations\/s/ { match($0, /= [0-9.]+ registrations/); rate[key] += substr($0, RSTART + 2, RLENGTH - 16); n[key]++ }
  /p99/ { match($0, /p99 [0-9.]+/); p = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (p > worst[key] + 0) worst[key] = p }
  END {
    for (k in n) printf "mean %s: %.0f/s over %d run(s), worst p99 %.1f ms\n", k, rate[k] / n[k], n[k], worst[k]
    split("skip check", modes, " ")
    for (i = 1; i <= 2; i++) { m = modes[i]
      if (n["old " m] && n["new " m]) printf "new/old %s: %.1f %%\n", m, 100 * (rate["new " m] / n["new " m]) / (rate["old " m] / n["old " m]) }
  }' "$OUT"

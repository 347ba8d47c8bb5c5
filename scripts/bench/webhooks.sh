#!/bin/bash
# Webhook delivery figures (issue 22 point 5): webhooks.sh DBNAME on a database seeded by setup.sh.
# 1. Throughput: registrations for D seconds (32 clients) with no worker running fill the outbox;
#    then one `appeals worker` drains it to a local receiver: events/s = events / drain time.
# 2. Latency: with the worker running, registrations at C2 clients (default 2) for D seconds; the
#    receiver reports p50/p99 from each event's occurred_at (the change's time) to its arrival.
set -e
BIN=${BIN:-target/release}; DIR=$(dirname "$0"); D=${D:-20}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$1?sslmode=disable" APPEALS_ENV=dev \
  BIND=127.0.0.1:18933 RUST_LOG=warn
RP=18934
python3 "$DIR/webhook-receiver.py" $RP & RECV=$!
"$BIN/appeals" serve > /tmp/appeals-webhooks-serve.log 2>&1 & SP=$!
trap 'kill $RECV $SP $WP 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://$BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
APPEALS_PASSWORD=bench-password-1 "$BIN/appeals" user create --username hooks-admin --subject AKIMAT-ALA --role admin >/dev/null 2>&1 || true
TOKEN=$(curl -sf -X POST "http://$BIND/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"hooks-admin","password":"bench-password-1"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
curl -sf -X POST "http://$BIND/api/v1/webhook-subscriptions" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "{\"url\":\"http://127.0.0.1:$RP/hooks\"}" >/dev/null
echo "== fill the outbox: $D s of registrations, no worker"
APPEALS_BENCH_PASSWORD=bench-password-1 "$BIN/appeals-bench" load --url "http://$BIND" --username reg1 \
  --clients 32 --duration "$D" 2>&1 | tail -2
N=$(psql -U postgres -h 127.0.0.1 -d "$1" -Atc "SELECT count(*) FROM outbox_events WHERE id > (SELECT cursor FROM webhook_subscriptions ORDER BY id DESC LIMIT 1)")
echo "== drain $N events with one worker"
T0=$(date +%s.%N)
"$BIN/appeals" worker > /tmp/appeals-webhooks-worker.log 2>&1 & WP=$!
while :; do C=$(curl -sf "http://127.0.0.1:$RP/stats?since=$T0" | python3 -c 'import json,sys;print(json.load(sys.stdin)["distinct"])'); [ "$C" -ge "$N" ] && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$RP/stats?since=$T0" | python3 -c "import json,sys; s=json.load(sys.stdin); print(f\"{s['distinct']} events in {s['last']-$T0:.2f} s from the worker's start = {s['distinct']/(s['last']-$T0):.0f} events/s ({s['count']} requests)\")"
echo "== latency: ${C2:-2} clients for $D s, worker running"
T1=$(date +%s.%N)
APPEALS_BENCH_PASSWORD=bench-password-1 "$BIN/appeals-bench" load --url "http://$BIND" --username reg1 \
  --clients "${C2:-2}" --duration "$D" 2>&1 | tail -2
sleep 2
curl -sf "http://127.0.0.1:$RP/stats?since=$T1"; echo
echo "worker RSS: $(ps -o rss= -p $WP) kB"

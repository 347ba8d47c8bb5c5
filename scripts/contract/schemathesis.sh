#!/bin/bash
# Contract check against the published spec (ROADMAP 5): starts a throw-away SQLite server with the
# demo users and runs Schemathesis as each of them. Needs Python 3 and PyPI (installs Schemathesis
# into a virtualenv under $VENV, default /tmp/appeals-schemathesis). Not part of `make test`.
# Usage: scripts/contract/schemathesis.sh [users…]   (default: registrar head admin analyst)
set -e
BIN=${BIN:-target/debug/appeals}
VENV=${VENV:-/tmp/appeals-schemathesis}
BIND=${BIND:-127.0.0.1:18990}
DIR=$(mktemp -d)
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis; }
[ -x "$BIN" ] || cargo build -q -p appeals-api
DATABASE_URL="sqlite://$DIR/a.db" APPEALS_ENV=dev BIND=$BIND RUST_LOG=warn "$BIN" serve --seed-demo > "$DIR/serve.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://$BIND/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
for user in ${@:-registrar head admin analyst}; do
  token=$(curl -s -X POST "http://$BIND/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"demo-password\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
  echo "== $user"
  "$VENV/bin/schemathesis" run "http://$BIND/api-docs/openapi.json" -H "Authorization: Bearer $token" \
    --checks all --max-examples "${EXAMPLES:-20}" --no-color | grep -E "❌ ST|✅|generated" || true
done

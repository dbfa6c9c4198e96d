#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI document (PyPI: schemathesis), signed out
# and then signed in as business support. Fails on any 5xx or any response that breaks the
# schema. `positive_data_acceptance` is left out: the server rightly refuses schema-valid
# but meaningless input (empty names, unknown tokens) with a documented 4xx.
#
# The signed-in pass must keep its session for the whole run, so it leaves out the two
# operations that end or rotate a session (sign-out, refresh); the signed-out pass covers
# them (every operation, with made-up tokens). After the signed-in pass the script checks
# that the token still works, so a pass that silently lost its session fails.
# Usage: tests/schemathesis.sh PATH/TO/hearth-server   (needs `schemathesis` on PATH)
set -euo pipefail
BIN=${1:?path to the hearth-server binary}
PORT=${HEARTH_ST_PORT:-18788}
DATA=$(mktemp -d)
LOG="$DATA/serve.log"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
env -u DATABASE_URL -u HEARTH_SMTP_URL "$BIN" --data-dir "$DATA" demo-seed >/dev/null
env -u DATABASE_URL -u HEARTH_SMTP_URL "$BIN" --data-dir "$DATA" --bind "127.0.0.1:$PORT" serve >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT"
cd "$DATA" # schemathesis keeps its caches (.hypothesis/, .schemathesis/) in the working folder
ST=(schemathesis run "$URL/api/openapi.json" --checks all --exclude-checks positive_data_acceptance --max-examples 30)
"${ST[@]}"
json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
ATTEMPT=$(curl -sf -XPOST "$URL/api/v1/auth/sign-in" -H 'content-type: application/json' \
  -d '{"email":"pat.demosupport@example.org.uk","password":"hearth demo only 2026"}' | json '["attempt_id"]')
sleep 0.2
CODE=$(grep -o 'code is: [0-9]*' "$LOG" | tail -1 | cut -d' ' -f3)
TOKEN=$(curl -sf -XPOST "$URL/api/v1/auth/sign-in/verify" -H 'content-type: application/json' \
  -d "{\"attempt_id\":\"$ATTEMPT\",\"code\":\"$CODE\",\"device_id\":\"0192f000-0000-7000-8000-000000000001\",\"device_name\":\"schemathesis\"}" \
  | json '["tokens"]["access_token"]')
test -n "$TOKEN" || { echo "signing in for the signed-in pass failed" >&2; exit 1; }
"${ST[@]}" -H "Authorization: Bearer $TOKEN" \
  --exclude-path /api/v1/auth/sign-out --exclude-path /api/v1/auth/refresh
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/me")
if [ "$STATUS" != 200 ]; then
  echo "the signed-in pass lost its session (GET /api/v1/me answered $STATUS)" >&2
  exit 1
fi
echo "schemathesis: both passes clean; the signed-in session survived"

#!/usr/bin/env bash
# Microsoft's Python client (azure-mgmt-billing 8) against a fresh Faktura with demo data.
# Usage: e2e/python/run.sh PATH_TO_FAKTURA_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$1"
python="$("$here/../../scripts/python-env.sh")"

work="$(mktemp -d)"
db="sqlite://$work/client.db"
log="$work/server.log"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

FAKTURA_DEMO_PASSWORD=python-client-test FAKTURA_LOG=warn "$bin" serve --demo --listen 127.0.0.1:0 --database-url "$db" >"$log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: faktura did not start:" >&2
  cat "$log" >&2
  exit 1
fi
token="$("$bin" token create --database-url "$db" --user admin@nordlys.example --name python-client 2>/dev/null)"
operator_token="$("$bin" token create --database-url "$db" --operator --name python-client-operator 2>/dev/null)"
cd "$here"
FAKTURA_URL="$url" FAKTURA_TOKEN="$token" FAKTURA_OPERATOR_TOKEN="$operator_token" "$python" -m pytest -q -p no:cacheprovider test_billing_client.py

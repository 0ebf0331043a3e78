#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (SQLite always; PostgreSQL too when
# FAKTURA_TEST_DATABASE_URL is set), then the browser tests in headless Chromium.
# Under CI=true nothing is skipped: a missing PostgreSQL or Chromium fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# Every test database and server log goes under one folder, scanned for card data at the end.
export FAKTURA_TEST_ARTIFACTS="$CARGO_TARGET_DIR/test-artifacts"
rm -rf "$FAKTURA_TEST_ARTIFACTS"
mkdir -p "$FAKTURA_TEST_ARTIFACTS/tmp"
export TMPDIR="$FAKTURA_TEST_ARTIFACTS/tmp"

if [ -z "${FAKTURA_TEST_DATABASE_URL:-}" ]; then
  echo "note: FAKTURA_TEST_DATABASE_URL is not set; the PostgreSQL halves of the storage and portal tests are skipped."
  echo "      e.g. FAKTURA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test scripts/test.sh"
fi

# A real SMTP server (aiosmtpd) for the mail tests, from the tests' Python environment.
if command -v python3 >/dev/null; then
  FAKTURA_TEST_PYTHON="$(scripts/python-env.sh)"
  export FAKTURA_TEST_PYTHON
fi

rust_log="$FAKTURA_TEST_ARTIFACTS/cargo-test.log"
cargo test --workspace --all-targets 2>&1 | tee "$rust_log"
# The long reliability tests (two nodes on PostgreSQL, SIGKILL crashes, gateway faults), one at a
# time: each starts its own `faktura serve` and `faktura sandbox-gateway` processes on loopback.
cargo test -p faktura --test reliability -- --ignored --test-threads=1 --nocapture 2>&1 | tee -a "$rust_log"
cargo build --bin faktura

# One honest line for the Rust tests: a PostgreSQL test without FAKTURA_TEST_DATABASE_URL returns
# early, which cargo counts as passed; each one noted itself in postgres-skipped.txt.
skipped=0
if [ -f "$FAKTURA_TEST_ARTIFACTS/postgres-skipped.txt" ]; then
  skipped=$(sort -u "$FAKTURA_TEST_ARTIFACTS/postgres-skipped.txt" | wc -l)
fi
read -r passed failed ignored < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i
    }
  } END { print p + 0, f + 0, g + 0 }' "$rust_log")
echo "rust: $((passed - skipped)) passed, $failed failed, $skipped skipped"
if [ "$skipped" -gt 0 ]; then
  echo "note: $skipped skipped: no FAKTURA_TEST_DATABASE_URL (the PostgreSQL halves; cargo's own lines above count them as passed)"
fi
echo "      ($ignored ignored by the first cargo run: the reliability tests, which the second run ran)"

chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "error: Chromium is not installed at $chromium_bin; browser tests cannot run" >&2
    exit 1
  fi
  echo "note: Chromium is not installed (apt-get install chromium); browser tests skipped."
else
  if [ ! -d e2e/node_modules/playwright-core ]; then
    (cd e2e && npm ci --no-audit --no-fund)
  fi
  FAKTURA_BIN="$CARGO_TARGET_DIR/debug/faktura" CHROMIUM="$chromium_bin" npm --prefix e2e test
fi

# Microsoft's own Python client for Microsoft.Billing against Faktura's API.
if command -v python3 >/dev/null; then
  e2e/python/run.sh "$CARGO_TARGET_DIR/debug/faktura"
elif [ "${CI:-}" = "true" ]; then
  echo "error: python3 is needed for the API client test" >&2
  exit 1
else
  echo "note: python3 not found; the azure-mgmt-billing client test is skipped."
fi

# No full card number or CVC in any database file or log the tests left behind.
scripts/scan-card-data.sh "$FAKTURA_TEST_ARTIFACTS"

#!/usr/bin/env bash
# Faktura's benchmark run (not part of CI): builds release binaries, generates 1,000,000 invoices
# on SQLite and on PostgreSQL, and runs the load generator (pay at 1/8/32 clients, invoice lists at
# 8 clients, sign-in, start-up, memory) with the raw baselines (one-row-update transactions on
# SQLite at the same durability through the C library and through sqlx, pgbench on the same
# PostgreSQL, and the list's own SQL alone on each) in the same run. Then the
# in-process criterion benches and the help recommender's benchmark.
#
#   scripts/bench.sh                      # everything (about 10 minutes on 2 cores)
#   BENCH_SECONDS=10 scripts/bench.sh     # longer phases
#   BENCH_SKIP_GENERATE=1 scripts/bench.sh  # reuse the generated databases (copied back fresh)
#
# PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/faktura_bench; the database
# is dropped and re-created) and pgbench (Debian: postgresql-contrib or postgresql-15); sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export FAKTURA_DEMO_PASSWORD="${FAKTURA_DEMO_PASSWORD:-bench-password-1}"
# The generator's 200-row INSERTs can pass sqlx's 1 s slow-statement threshold on a busy machine;
# its warning would print each whole statement.
GENERATE_LOG="${FAKTURA_LOG:-warn,sqlx=error}"
SECONDS_PER_PHASE="${BENCH_SECONDS:-5}"
WORK="${BENCH_DIR:-/tmp/faktura-bench}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/faktura_bench}"
PG_ADMIN="${PG_URL%/*}/postgres"
PG_DB="${PG_URL##*/}"
# BENCH_INVOICES_PER_PROFILE shrinks the data for quick runs (2500 = 1,000,000 invoices).
SCALE=(--accounts 100 --profiles-per-account 4 --invoices-per-profile "${BENCH_INVOICES_PER_PROFILE:-2500}")

if ! command -v pgbench >/dev/null; then
  apt-get install -y postgresql-contrib >/dev/null 2>&1 || apt-get install -y postgresql-15 >/dev/null
fi
# The raw SQLite baselines run the C library through its own shell.
if ! command -v sqlite3 >/dev/null; then
  apt-get install -y sqlite3 >/dev/null
fi
cargo build --release -p faktura -p faktura-bench
BIN="$CARGO_TARGET_DIR/release"
mkdir -p "$WORK"

if [ -z "${BENCH_SKIP_GENERATE:-}" ] || [ ! -f "$WORK/pristine.db" ]; then
  rm -f "$WORK"/scale.db* "$WORK/pristine.db"
  echo "== generating 1,000,000 invoices on SQLite"
  FAKTURA_LOG="$GENERATE_LOG" "$BIN/faktura" demo --database-url "sqlite://$WORK/scale.db" "${SCALE[@]}"
  cp "$WORK/scale.db" "$WORK/pristine.db"
  echo "== generating 1,000,000 invoices on PostgreSQL"
  psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
  FAKTURA_LOG="$GENERATE_LOG" "$BIN/faktura" demo --database-url "$PG_URL" "${SCALE[@]}"
else
  rm -f "$WORK"/scale.db*
  cp "$WORK/pristine.db" "$WORK/scale.db"
  # The PostgreSQL database is reused as the last run left it. Autovacuum is off on these
  # machines, so clear the dead rows of its pay phases first, or every run gets slower than the last.
  psql "$PG_URL" -q -c "VACUUM ANALYZE"
fi

echo "== load (machine load before: $(cut -d' ' -f1-3 /proc/loadavg))"
"$BIN/faktura-load" --faktura "$BIN/faktura" --seconds "$SECONDS_PER_PHASE" \
  --database-url "sqlite://$WORK/scale.db" --database-url "$PG_URL" --pgbench-db faktura_pgbench

if [ -z "${BENCH_SKIP_CRITERION:-}" ]; then
  echo "== in-process (criterion)"
  cargo bench -p faktura-bench --bench inprocess -- --warm-up-time 1 --measurement-time 3 2>&1 | grep -E "^[a-z_ -].*|time:" || true
  echo "== help recommender"
  cargo run -q -p faktura-help --release --example help_bench
fi

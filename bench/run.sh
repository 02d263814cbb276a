#!/bin/sh
# Builds the emulator and the benchmark, runs every scenario, prints the report and saves it to bench/results/latest.md.
# Extra arguments go to ecs-emulator-bench (see --help), e.g. --duration 10 or --diagnostics.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --locked --workspace
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/ecs-emulator-bench" \
    --emulator "$target_dir/release/ecs-emulator" \
    --ceiling "$target_dir/release/ceiling" \
    --out bench/results/latest.md \
    "$@"

#!/usr/bin/env bash
# The whole test suite: build the emulator, run every Rust test, then the Python SDK suite
# (official Alibaba Cloud SDKs against the built binary), then the dashboard's browser tests
# when a Chromium is installed. Usage: bash tests/run-all.sh [pytest args for the SDK suite...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv-sdk"
REQS="$ROOT/tests/sdk/requirements.txt"
STAMP="$VENV/.requirements.sha256"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

section() {
    printf '\n==== %s ====\n' "$*"
}

fail() {
    printf '\nFAILED: %s\n' "$*" >&2
    exit 1
}

started=$(date +%s)

section "cargo build --locked"
cargo build --locked || fail "cargo build"

section "cargo test --locked"
cargo test --locked || fail "cargo test"

section "Python SDK environment (.venv-sdk)"
command -v "$PYTHON" >/dev/null 2>&1 || fail "$PYTHON not found; the SDK suite needs Python 3.9 or newer"
want_hash="$("$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$REQS")"
have_hash="$(cat "$STAMP" 2>/dev/null || true)"
if [ -x "$VENV/bin/python" ] && [ "$want_hash" = "$have_hash" ]; then
    echo "requirements unchanged; reusing $(basename "$VENV")"
else
    echo "installing tests/sdk/requirements.txt into $(basename "$VENV")"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" \
        || fail "could not create a virtual environment (on Debian/Ubuntu: apt-get install python3-venv)"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet -r "$REQS" \
        || fail "pip install -r tests/sdk/requirements.txt"
    echo "$want_hash" > "$STAMP"
fi

section "pytest tests/sdk"
export ECS_EMULATOR_BIN="${ECS_EMULATOR_BIN:-$TARGET_DIR/debug/ecs-emulator}"
[ -x "$ECS_EMULATOR_BIN" ] || fail "emulator binary not found at $ECS_EMULATOR_BIN"
"$VENV/bin/python" -m pytest tests/sdk -q "$@" || fail "pytest tests/sdk"

section "browser tests (tests/browser)"
# Debian's Chromium, headless, driven by Playwright for Python; a browser is never downloaded.
CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
    CHROMIUM="$CHROMIUM" "$VENV/bin/python" -m pytest tests/browser -q || fail "pytest tests/browser"
elif [ "${CI:-}" = "true" ]; then
    fail "no Chromium found: CI never skips the browser tests (apt-get install chromium)"
else
    echo "SKIPPED: the browser tests need Chromium (apt-get install chromium); none found on PATH"
fi

section "all tests passed in $(( $(date +%s) - started ))s"

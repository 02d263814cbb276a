#!/usr/bin/env bash
# The whole test suite: build the emulator, run every Rust test, then the Python SDK suite
# (official Alibaba Cloud SDKs, and the third-party tools' flows, against the built binary), the
# Node client tests (published Node clients, installed by `npm ci` from tests/node), then the
# dashboard's browser tests when a Chromium is installed.
# Usage: bash tests/run-all.sh [pytest args for the SDK suite...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv-sdk"
REQS="$ROOT/tests/sdk/requirements.txt"
TOOLS_VENV="$ROOT/.venv-tools"
TOOLS_REQS="$ROOT/tests/sdk/tools/requirements.txt"
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

# A virtual environment for a requirements file, rebuilt only when the file changes.
ensure_venv() {
    local venv="$1" reqs="$2" stamp="$1/.requirements.sha256" want_hash have_hash
    want_hash="$("$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$reqs")"
    have_hash="$(cat "$stamp" 2>/dev/null || true)"
    if [ -x "$venv/bin/python" ] && [ "$want_hash" = "$have_hash" ]; then
        echo "requirements unchanged; reusing $(basename "$venv")"
    else
        echo "installing ${reqs#"$ROOT"/} into $(basename "$venv")"
        rm -rf "$venv"
        "$PYTHON" -m venv "$venv" \
            || fail "could not create a virtual environment (on Debian/Ubuntu: apt-get install python3-venv)"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet -r "$reqs" \
            || fail "pip install -r ${reqs#"$ROOT"/}"
        echo "$want_hash" > "$stamp"
    fi
}

section "Python SDK environment (.venv-sdk)"
command -v "$PYTHON" >/dev/null 2>&1 || fail "$PYTHON not found; the SDK suite needs Python 3.9 or newer"
ensure_venv "$VENV" "$REQS"

section "Third-party tools environment (.venv-tools: Ansible, footmark, libcloud)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || fail "$PYTHON is older than 3.11; ansible-core 2.19 (the Ansible flow) needs 3.11 or newer"
ensure_venv "$TOOLS_VENV" "$TOOLS_REQS"
export TOOLS_VENV

section "pytest tests/sdk"
export ECS_EMULATOR_BIN="${ECS_EMULATOR_BIN:-$TARGET_DIR/debug/ecs-emulator}"
[ -x "$ECS_EMULATOR_BIN" ] || fail "emulator binary not found at $ECS_EMULATOR_BIN"
"$VENV/bin/python" -m pytest tests/sdk -q "$@" || fail "pytest tests/sdk"

section "Node clients (tests/node)"
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/node"
    (cd tests/node && node --test) || fail "node --test in tests/node"
elif [ "${CI:-}" = "true" ]; then
    fail "npm or node not found: CI never skips the Node client tests (they need Node.js 20 with npm)"
else
    echo "SKIPPED: npm or node not found; the Node client tests (tests/node) need Node.js 20 with npm"
fi

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

#!/usr/bin/env bash
# Instructions per call of the server: valgrind's callgrind counts the instructions of a run of N
# unsigned StartInstance/StopInstance calls (alternating, one keep-alive connection) and of a run
# of none, and prints the difference divided by N. Repeatable for the same binary and inputs,
# whatever else the machine is doing, which wall-clock figures on a shared machine are not.
#
# Usage: bench/callgrind.sh BINARY [N] [-- extra serve flags, e.g. --request-log-size 0]
set -euo pipefail

bin="${1:?usage: bench/callgrind.sh BINARY [N] [-- serve flags]}"
shift
calls=2000
if [[ $# -gt 0 && "$1" != "--" ]]; then
    calls="$1"
    shift
fi
[[ "${1:-}" == "--" ]] && shift
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/seed.json" <<'JSON'
{ "accounts": [ { "id": "1000000000000001", "instances": [
  { "id": "i-bp1callgrind000001", "region_id": "cn-hangzhou", "zone_id": "cn-hangzhou-h", "status": "Stopped" } ] } ] }
JSON

# One run: the server under callgrind, `n` calls, a clean stop; prints the instruction total.
run() {
    local n="$1"
    shift
    rm -f "$work"/cg.out.*
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out.%p" \
        "$bin" serve --listen 127.0.0.1:0 --timing instant --clock manual \
        --fixtures "$work/seed.json" "$@" >"$work/serve.out" 2>"$work/serve.err" &
    local pid=$!
    local addr=""
    for _ in $(seq 1 600); do
        addr="$(grep -m1 -o 'listening on http://[^[:space:]]*' "$work/serve.out" | sed 's|listening on http://||' || true)"
        [[ -n "$addr" ]] && break
        sleep 0.1
    done
    [[ -n "$addr" ]] || { echo "the server did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
    python3 - "$addr" "$n" <<'PY'
import http.client, sys
host, port = sys.argv[1].rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
for i in range(int(sys.argv[2])):
    action = "StartInstance" if i % 2 == 0 else "StopInstance"
    conn.request("GET", f"/?Action={action}&Version=2014-05-26&RegionId=cn-hangzhou&InstanceId=i-bp1callgrind000001")
    answer = conn.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"{action} answered {answer.status}")
PY
    kill -TERM "$pid"
    wait "$pid" || true
    callgrind_annotate "$work"/cg.out.* 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

base="$(run 0 "$@")"
loaded="$(run "$calls" "$@")"
echo "$(( (loaded - base) / calls )) instructions per call ($calls calls: $loaded; none: $base)"

#!/usr/bin/env bash
# bench.smoke: starts tt_echo_server on a free port, sends exactly 200 calls with tt_loadgen
# --echo --json, and checks the counts (200 ok, no errors, no echo mismatch). No timing checks.
# Usage: smoke_test.sh <tt_echo_server> <tt_loadgen>
set -euo pipefail
echo_bin=$1
loadgen_bin=$2
work=$(mktemp -d)
echo_pid=
cleanup() {
  if [ -n "$echo_pid" ]; then
    kill -TERM "$echo_pid" 2>/dev/null || true
    wait "$echo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$echo_bin" --listen 127.0.0.1:0 2>"$work/echo.log" &
echo_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^echo: listening on port \([0-9]*\)$/\1/p' "$work/echo.log")
  [ -n "$port" ] && break
  kill -0 "$echo_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "smoke: tt_echo_server did not report its port" >&2
  cat "$work/echo.log" >&2
  exit 1
fi

"$loadgen_bin" --target "127.0.0.1:$port" --echo --json --requests 200 --concurrency 8 \
  --connections 2 --method /gateway.v1.GatewayService/CreateReservation \
  --request-json '{"event_id": "evt-{n%7}", "idempotency_key": "{uuid}", "quantity": 2}' \
  >"$work/result.json"
cat "$work/result.json"

field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$work/result.json"; }
if [ "$(field ok)" != 200 ] || [ "$(field requests)" != 200 ] ||
  [ "$(field echo_mismatches)" != 0 ] || ! grep -q '"errors":{}' "$work/result.json"; then
  echo "smoke: expected 200 ok calls, no errors and no echo mismatch" >&2
  exit 1
fi
echo "smoke: ok"

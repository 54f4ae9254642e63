#!/usr/bin/env bash
# bench.smoke: keeps the load tools from rotting, by counts only (no timing checks).
# - tt_loadgen --echo --json against tt_echo_server: exactly 200 calls from a template and 30
#   from a request file, all ok, no echo mismatch;
# - tt_flowgen against a tacosd with one small event behind a waiting room, 4 virtual users for
#   1 s: at least one whole flow confirmed, none failed, and each once-per-flow call made at
#   least once per confirmed flow.
# Usage: smoke_test.sh <tt_echo_server> <tt_loadgen> <tacosd> <tt_flowgen>
set -euo pipefail
echo_bin=$1
loadgen_bin=$2
tacosd_bin=$3
flowgen_bin=$4
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# port_of LOG SED_PATTERN: the port the last started server logged, or fails after 30 s.
port_of() {
  local port
  for _ in $(seq 300); do
    port=$(sed -n "s/$2/\1/p" "$1" | head -n 1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "smoke: server did not report its port; its log:" >&2
  cat "$1" >&2
  return 1
}
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$work/result.json"; }
# expect_all_ok N: the last tt_loadgen result has N calls, all ok, no echo mismatch.
expect_all_ok() {
  if [ "$(field ok)" != "$1" ] || [ "$(field requests)" != "$1" ] ||
    [ "$(field echo_mismatches)" != 0 ] || ! grep -q '"errors":{}' "$work/result.json"; then
    echo "smoke: expected $1 ok calls, no errors and no echo mismatch" >&2
    exit 1
  fi
}

"$echo_bin" --listen 127.0.0.1:0 2>"$work/echo.log" &
pids+=($!)
port=$(port_of "$work/echo.log" '^echo: listening on port \([0-9]*\)$')

"$loadgen_bin" --target "127.0.0.1:$port" --echo --json --requests 200 --concurrency 8 \
  --connections 2 --method /gateway.v1.GatewayService/CreateReservation \
  --request-json '{"event_id": "evt-{n%7}", "idempotency_key": "{uuid}", "quantity": 2}' \
  >"$work/result.json"
cat "$work/result.json"
expect_all_ok 200

printf '%s\n' '{"waiting_token": "w-1"}' '' '{"waiting_token": "w-{n}-x"}' >"$work/requests.jsonl"
"$loadgen_bin" --target "127.0.0.1:$port" --echo --json --requests 30 --concurrency 4 \
  --method /gateway.v1.QueueService/GetQueueStatus --request-file "$work/requests.jsonl" \
  >"$work/result.json"
cat "$work/result.json"
grep -q '"request_bytes":6.0,' "$work/result.json" || {
  echo "smoke: expected the file's two requests (5 and 7 bytes, the blank line skipped)" >&2
  exit 1
}
expect_all_ok 30

mkdir -p "$work/catalog"
cat >"$work/catalog/smoke.yaml" <<'YAML'
event_id: flow-smoke
name: Flow smoke
sale_starts_at: 2020-01-01T00:00:00Z
sale_ends_at: 2099-01-01T00:00:00Z
waiting_room: {admissions_per_second: 1000, max_active: 100000}
sections:
  - {section: A, price: 1000, rows: [{rows: "1-50", seats: "1-100"}]}
YAML
"$tacosd_bin" --grpc.listen 127.0.0.1:0 --http.listen 127.0.0.1:0 --storage.data_dir "$work/data" \
  --catalog.dir "$work/catalog" --payment.settle_delay_ms 0 --queue.tick_ms 20 \
  >"$work/node.log" 2>&1 &
pids+=($!)
port=$(port_of "$work/node.log" '.*grpc: serving [0-9]* contract services on port \([0-9]*\).*')
"$flowgen_bin" --target "127.0.0.1:$port" --event flow-smoke --users 4 --duration 1 --json \
  >"$work/result.json"
cat "$work/result.json"
flows=$(field flows)
if [ "${flows:-0}" -lt 1 ] || [ "$(field failed)" != 0 ]; then
  echo "smoke: expected confirmed flows and no failed one" >&2
  exit 1
fi
for step in join admission hold intent process; do
  if [ "$(field "$step")" -lt "$flows" ]; then
    echo "smoke: fewer $step calls than confirmed flows" >&2
    exit 1
  fi
done
echo "smoke: ok ($flows flows)"

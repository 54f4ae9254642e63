#!/usr/bin/env bash
# Replays scenario files at full size, each against a fresh tacosd started with the settings its
# `node:` list asks for (data in a temporary directory), and prints the runner's report.
# Usage: ops/scenarios.sh [--scale X] [FILE...]   (default: every file in scenarios/files)
# To replay against a node you run yourself: scenarios/runner/replay.py --target HOST:PORT FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
scale=1
if [ "${1:-}" = --scale ]; then
  scale=$2
  shift 2
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(scenarios/files/*.yaml)
ops/setup.sh
ops/build.sh >/dev/null
export TT_PY_STUBS=$PWD/build/python
work=$(mktemp -d)
pid=
cleanup() {
  [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
status=0
for file in "${files[@]}"; do
  mapfile -t flags < <(/usr/bin/python3 -c \
    'import sys, yaml; print("\n".join(str(x) for x in yaml.safe_load(open(sys.argv[1])).get("node") or []))' \
    "$file")
  rm -rf "$work/data"
  build/adapters/node/tacosd --grpc.listen 127.0.0.1:0 --storage.data_dir "$work/data" \
    --catalog.dir "$work/no-catalog" "${flags[@]}" >"$work/node.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 150); do
    port=$(sed -n 's/.*grpc: serving [0-9]* contract services on port \([0-9]*\).*/\1/p' "$work/node.log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$work/node.log" >&2; exit 1; }
  /usr/bin/python3 scenarios/runner/replay.py --target "127.0.0.1:$port" --scale "$scale" "$file" ||
    status=1
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
done
exit $status

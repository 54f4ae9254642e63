#!/usr/bin/env bash
# Replays scenario files at full size, each against a fresh tacosd started with the settings its
# `node:` list asks for (data in a temporary directory), and prints the runner's report.
# Usage: ops/scenarios.sh [--scale X] [FILE...]   (default: every file in scenarios/files)
# To replay against a node you run yourself: scenarios/runner/replay.py --target HOST:PORT FILE...
# TT_BUILD_DIR: the build directory (default build). Exits 1 if any file fails, 2 on bad usage.
set -euo pipefail
usage_error() {
  echo "scenarios.sh: $1 (see --help)" >&2
  exit 2
}
scale=1
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --scale)
      if [ $# -lt 2 ] || ! [[ $2 =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ && $2 =~ [1-9] ]]; then
        usage_error "--scale needs a number above 0"
      fi
      scale=$2
      shift ;;
    -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) usage_error "unknown argument '$1'" ;;
    *)
      [ -f "$1" ] || usage_error "no scenario file '$1'"
      files+=("$(realpath -- "$1")") ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
[ ${#files[@]} -gt 0 ] || files=(scenarios/files/*.yaml)
ops/setup.sh
build_dir=${TT_BUILD_DIR:-build}
TT_BUILD_DIR=$build_dir ops/build.sh >/dev/null
build_dir=$(realpath "$build_dir")
export TT_PY_STUBS=$build_dir/python
work=$(mktemp -d)
pid=
# shellcheck disable=SC2317  # run by the trap below, which shellcheck 0.9 does not follow
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
status=0
for file in "${files[@]}"; do
  # One NUL-terminated flag each: a file without `node:` gives no flag at all (not an empty one).
  /usr/bin/python3 -c '
import sys, yaml
for flag in yaml.safe_load(open(sys.argv[1])).get("node") or []:
    sys.stdout.write(str(flag) + "\0")' "$file" >"$work/flags"
  mapfile -d '' -t flags <"$work/flags"
  rm -rf "$work/data"
  "$build_dir/adapters/node/tacosd" --grpc.listen 127.0.0.1:0 --http.listen 127.0.0.1:0 --storage.data_dir "$work/data" \
    --catalog.dir "$work/no-catalog" "${flags[@]}" >"$work/node.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 150); do
    # Up to "(node": a line read while it is being written must not yield half a port number.
    port=$(sed -n 's/.*grpc: serving [0-9]* contract services on port \([0-9]*\) (node .*/\1/p' \
      "$work/node.log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "scenarios.sh: tacosd did not start for $file:" >&2
    cat "$work/node.log" >&2
    exit 1
  fi
  if ! /usr/bin/python3 scenarios/runner/replay.py --target "127.0.0.1:$port" --scale "$scale" \
    "$file"; then
    status=1
    echo "scenarios.sh: $file failed; the node's log ends:" >&2
    tail -n 20 "$work/node.log" >&2
  fi
  kill -TERM "$pid" 2>/dev/null || echo "scenarios.sh: the node of $file had exited" >&2
  wait "$pid" || true
  pid=
done
exit $status

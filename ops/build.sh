#!/usr/bin/env bash
# Configures (once) and builds the project into ./build. Used by run.sh and test.sh.
# Usage: ops/build.sh   (no arguments; TT_BUILD_DIR: another build directory)
set -euo pipefail
if [ $# -gt 0 ]; then
  case $1 in
    -h | --help) sed -n '2,3s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (it takes none; see --help)" >&2; exit 2 ;;
  esac
fi
cd "$(dirname "$0")/.."
build_dir=${TT_BUILD_DIR:-build}
if ! [ -f "$build_dir/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTT_WERROR=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"

#!/usr/bin/env bash
# Configures (once) and builds the project into ./build. Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TT_BUILD_DIR:-build}
if ! [ -f "$build_dir/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTT_WERROR=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"

#!/usr/bin/env bash
# The README's test command: sets up, builds, and runs every test (unit, conformance, buf, e2e).
# Extra arguments go to ctest (`ops/test.sh -L e2e`). TT_BUILD_DIR: another build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh
ops/build.sh
cd "${TT_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"

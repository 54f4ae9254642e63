#!/usr/bin/env bash
# The README's test command: sets up, builds, and runs every test (unit, conformance, buf, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh
ops/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" "$@"

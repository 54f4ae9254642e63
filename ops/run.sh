#!/usr/bin/env bash
# The README's run command: sets up, builds if needed, and starts one node on embedded defaults
# (data in ./data, gRPC on localhost:8080). Extra arguments go to the node (see README: config;
# `ops/run.sh --help` lists every setting). TT_BUILD_DIR: another build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh
ops/build.sh
exec "${TT_BUILD_DIR:-build}/adapters/node/tacosd" --config ops/configs/node.yaml "$@"

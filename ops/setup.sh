#!/usr/bin/env bash
# Installs everything the project needs to build, run and test on a fresh Debian 12 machine.
# Idempotent and quiet when everything is already there. Needs root (or sudo) for apt-get.
# Usage: ops/setup.sh   (no arguments)
set -euo pipefail
if [ $# -gt 0 ]; then
  case $1 in
    -h | --help) sed -n '2,4s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$1' (it takes none; see --help)" >&2; exit 2 ;;
  esac
fi
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache clang-format
  # the design card's libraries
  libcaf-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libspdlog-dev doctest-dev
  # config, JSON, crypto
  libyaml-cpp-dev nlohmann-json3-dev libssl-dev
  # HTTP client for outgoing webhooks
  libcpp-httplib-dev
  # the HTTP/JSON gateway: Boost.Beast over asio (header-only), Argon2id password hashing
  libboost-dev libsodium-dev
  # the metrics registry and /metrics listener; a real Prometheus for the metrics e2e test
  prometheus-cpp-dev prometheus
  # the allocator every program links (cmake/TtTarget.cmake says why)
  libjemalloc-dev
  # real clients used by tests and benchmarks
  python3-grpcio python3-protobuf python3-yaml grpc-proto kcat nghttp2-client
  # the gateway's WebSocket tests (a real client); the storefront's browser tests (headless
  # Chromium driven by selenium) and the fonts its Korean pages render with
  python3-websocket chromium chromium-driver python3-selenium fonts-noto-cjk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js/npm (for buf): some images ship their own npm, which Debian's npm package conflicts with.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# buf, pinned, installed inside the project (ops/.tools is git-ignored).
buf_version=1.75.0
if ! [ -x ops/.tools/node_modules/.bin/buf ] ||
  [ "$(ops/.tools/node_modules/.bin/buf --version 2>/dev/null)" != "$buf_version" ]; then
  echo "setup: installing buf $buf_version"
  mkdir -p ops/.tools
  npm install --silent --no-audit --no-fund --prefix ops/.tools "@bufbuild/buf@$buf_version" >/dev/null
fi

#!/usr/bin/env bash
# buf lint | buf breaking, run from the repository root by CTest. `breaking` compares the working
# tree with the previous commit (HEAD~1) and is skipped (exit 77) only when there is none to
# compare with: the first commit, a shallow clone, or a previous commit without buf.yaml.
set -euo pipefail
cd "$(dirname "$0")/../.."
buf=ops/.tools/node_modules/.bin/buf
if ! [ -x "$buf" ]; then
  echo "buf is not installed: run ops/setup.sh" >&2
  exit 1
fi
case "${1:-}" in
  lint)
    "$buf" lint
    echo "buf lint: clean"
    ;;
  breaking)
    if ! git rev-parse --verify -q HEAD~1 >/dev/null || ! git cat-file -e HEAD~1:buf.yaml 2>/dev/null; then
      echo "buf breaking: skipped, no previous commit with protos to compare with"
      exit 77
    fi
    "$buf" breaking --against ".git#ref=HEAD~1"
    echo "buf breaking: no breaking change against $(git rev-parse --short HEAD~1)"
    ;;
  *)
    echo "usage: $0 lint|breaking" >&2
    exit 2
    ;;
esac

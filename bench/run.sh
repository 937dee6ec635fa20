#!/usr/bin/env bash
# make bench: runs every benchmark binary (build/bin/bench-*) in turn.
#   bench/run.sh [BUILD_DIR] [ARGS...]   e.g. bench/run.sh build --quick
set -euo pipefail
BUILD_DIR=${1:-build}
shift || true
status=0
shopt -s nullglob
benches=("$BUILD_DIR"/bin/bench-*)
if [ ${#benches[@]} -eq 0 ]; then
  echo "no bench-* binaries in $BUILD_DIR/bin" >&2
  exit 1
fi
for b in "${benches[@]}"; do
  echo "== $(basename "$b")"
  "$b" "$@" || status=1
done
exit $status

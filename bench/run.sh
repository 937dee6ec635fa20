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
# The same bus with its journals in memory: not durable, so not how it runs,
# but it shows how much of a hop is the software and how much the disk.
if [ -x "$BUILD_DIR/bin/bench-bus" ] && [ -d /dev/shm ]; then
  echo "== bench-bus, journals in /dev/shm (not durable: the software's share of a hop)"
  "$BUILD_DIR/bin/bench-bus" --dir /dev/shm "$@" || status=1
fi
exit $status

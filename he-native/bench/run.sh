#!/usr/bin/env bash
# he-native benchmark: our C++ engine (veilhe_bench) and node-seal (SEAL 4.1 in WebAssembly) time the
# same operations in one run; prints medians (microseconds) and ratios, next to SEAL 4.1.2 native figures
# measured on this machine kind (issue 3). Usage: he-native/bench/run.sh [reps-scale, default 1]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
reps=${1:-1}
build=$here/target/build-bench
work=$(mktemp -d /tmp/veil-he-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -d "$here/src/test/node/node_modules/node-seal" ] || (cd "$here/src/test/node" && npm ci --no-audit --no-fund --loglevel=error)
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target veilhe_bench -j 2 >/dev/null
echo "he-native bench: $(date -u +%FT%TZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$build/veilhe_bench" "$reps" > "$work/veil.txt"
node "$here/bench/compare.js" "$work/veil.txt" "$reps" "$work"

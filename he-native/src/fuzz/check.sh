#!/usr/bin/env bash
# Serialization self-check against real node-seal objects: generates the corpus for the given parameter
# sets (default: fuzz1k n8k), builds serial_check against the core, runs it per set.
# Usage: he-native/src/fuzz/check.sh [set...]   (sets: fuzz1k n8k n16k30 n16k40 n32k)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../.." && pwd)
work="$module/target/serial-check"
sets=("$@")
((${#sets[@]})) || sets=(fuzz1k n8k)
nice "$here/build_core.sh" "$work/build" g++ -O2 -march=x86-64-v2
nice g++ -std=c++17 -O2 -march=x86-64-v2 -I"$module/src/main/cpp" "$here/serial_check.cpp" "$work/build/libcore.a" \
  -lz -lzstd -o "$work/serial_check"
status=0
for s in "${sets[@]}"; do
  [[ -f $work/corpus/$s/parms_ids.txt ]] || node "$here/make_corpus.js" "$work/corpus" "$s" >&2
  "$work/serial_check" "$work/corpus/$s" || status=1
done
exit $status

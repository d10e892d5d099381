#!/usr/bin/env bash
# Byte-identical check of evaluator results between the working tree's engine and another commit's: both
# are compiled with bench/differential.cpp, the working tree's generates keys and ciphertexts, both evaluate
# them (with and without AVX-512) and the printed result hashes must all be equal.
# Usage: he-native/bench/differential.sh [commit, default HEAD~1]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
commit=${1:-HEAD~1}
work=$(mktemp -d /tmp/veil-he-diff-XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive --format=tar --prefix=old/ "$commit" he-native/src/main/cpp | tar -x -C "$work"
build() {  # build <source root> <binary>
  g++ -std=c++17 -O2 -march=x86-64-v2 -w -I"$1" "$here/bench/differential.cpp" \
    $(find "$1" -name '*.cpp' -not -path '*/jni/*') -lz -lzstd -o "$2"
}
build "$work/old/he-native/src/main/cpp" "$work/old.bin" &
build "$here/src/main/cpp" "$work/new.bin"
wait
mkdir "$work/data"
"$work/new.bin" gen "$work/data"
"$work/old.bin" eval "$work/data" > "$work/old.txt"
for bin in new old; do
  for env in "" "VEIL_HE_NO_AVX512=1"; do
    env $env "$work/$bin.bin" eval "$work/data" > "$work/out.txt"
    cmp -s "$work/old.txt" "$work/out.txt" || { echo "DIFFERENT: $bin $env"; diff "$work/old.txt" "$work/out.txt" | head; exit 1; }
  done
done
echo "identical: $(wc -l < "$work/old.txt") results of $commit and the working tree, with and without AVX-512"

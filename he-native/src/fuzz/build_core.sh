#!/usr/bin/env bash
# Compiles he-native's C++ core (everything under src/main/cpp except jni/) into <out>/libcore.a with the
# given compiler and flags, recompiling only sources newer than their object. Used by run.sh and check.sh.
# Usage: build_core.sh <out-dir> <compiler> <flags...>
set -euo pipefail
out=$1; cxx=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../main/cpp" && pwd)
mkdir -p "$out/obj"
# Concurrent runs (e.g. two fuzz targets started together) share the build: one compiles, the other waits.
exec 9>"$out/.lock"
flock 9
objs=()
todo=()
while IFS= read -r f; do
  rel=${f#"$src"/}
  obj="$out/obj/${rel//\//_}.o"
  objs+=("$obj")
  # Headers change too: rebuild when any header is newer than the object.
  if [[ ! -f $obj || $f -nt $obj ]] || [[ -n $(find "$src" -name '*.h' -newer "$obj" -print -quit) ]]; then
    todo+=("$f|$obj")
  fi
done < <(find "$src" -name '*.cpp' -not -path "$src/jni/*" | sort)
if ((${#todo[@]})); then
  printf '%s\n' "${todo[@]}" | xargs -P 2 -I{} sh -c 'f=${1%%|*}; o=${1##*|}; shift; "$@" -c "$f" -o "$o"' _ {} \
    "$cxx" -std=c++17 -I"$src" "$@"
  rm -f "$out/libcore.a"
fi
[[ -f $out/libcore.a ]] || ar rcs "$out/libcore.a" "${objs[@]}"

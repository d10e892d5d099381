#!/usr/bin/env bash
# Per-forward overhead of the cluster invocation path: this working tree against another commit (default
# 01dd9dc, whose cluster replayed forwarded requests through a loopback HTTP client), measured in one run by
# ForwardOverhead.java. Each build is compiled in its own folder (no mvn install).
# Usage: [BASE_TREE=dir] bench/cluster/forward-overhead.sh [base-commit] [rounds] [calls-per-round]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:-01dd9dc}
rounds=${2:-10}
per=${3:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base_tree=${BASE_TREE:-$work/base} # BASE_TREE: an already extracted (and built) copy of the base commit
if [ -z "${BASE_TREE:-}" ]; then
  mkdir -p "$base_tree"
  git -C "$root" archive "$base" | tar -x -C "$base_tree"
fi

# Compiles runtime and triggers (with the test functions) and prints the classpath of the triggers' tests.
classpath() {
  (cd "$1" && mvn -B -ntp -q -pl triggers -am -DskipTests test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test >&2)
  echo "$1/triggers/target/test-classes:$1/triggers/target/classes:$(cat "$1/triggers/target/bench-cp.txt")"
}
new_cp=$(classpath "$root")
base_cp=$(classpath "$base_tree")
java "$root/bench/cluster/ForwardOverhead.java" "$work/run" "$rounds" "$per" "proxy@$base=$base_cp" "invocation=$new_cp"

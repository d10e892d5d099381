#!/usr/bin/env bash
# HTTP edge benchmark (not a test): how long silent, half-sent, idle and trickling connections stay open on a
# host process with the default veil.http settings, and its RSS with N idle connections.
# Usage: bench/edge.sh [idle connections (2000)]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/triggers/target/bench-classpath.txt"
nice mvn -B -ntp -q -pl triggers -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
exec java -cp "triggers/target/test-classes:triggers/target/classes:$(cat "$cp_file")" \
  dev.veil.triggers.bench.EdgeBenchmark "$@"

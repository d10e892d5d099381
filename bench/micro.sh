#!/usr/bin/env bash
# Runs a module's JMH micro benchmarks (src/jmh/java beside the code they measure).
# Usage: bench/micro.sh MODULE [JMH arguments, e.g. a benchmark name pattern, -f 1 -wi 2 -i 5]
set -euo pipefail
cd "$(dirname "$0")/.."
module=${1:?usage: bench/micro.sh MODULE [JMH arguments]}
shift
[ -d "$module/src/jmh/java" ] || { echo "micro.sh: $module has no src/jmh/java" >&2; exit 2; }
cp_file="$module/target/jmh.classpath"
mvn -B -ntp -q -pl "$module" -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file"
exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$cp_file")" org.openjdk.jmh.Main "$@"

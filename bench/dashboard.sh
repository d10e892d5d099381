#!/usr/bin/env bash
# Dashboard benchmark (BENCHMARKS.md, "Dashboard"): page load time with 50 functions and 10,000 log lines
# buffered, and the host's extra CPU while one dashboard page is open at idle. Extra arguments become JVM
# options, e.g. -Dbench.idleSeconds=30 -Dbench.functions=50 -Dbench.lines=10000.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl dashboard -am -DskipTests ${VEIL_BENCH_MVN_ARGS:-} test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
cd dashboard
cp="target/test-classes:target/classes:$(cat target/bench.cp)"
exec java -Xmx2g "$@" -cp "$cp" dev.veil.dashboard.DashboardBenchmark

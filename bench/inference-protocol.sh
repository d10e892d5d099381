#!/usr/bin/env bash
# Open Inference Protocol benchmark (BENCHMARKS.md, "Open Inference Protocol"): REST JSON vs REST binary vs gRPC
# vs Veil's own image routes, at 1 and 16 clients. Extra arguments become JVM options, e.g.
# -Dbench.models=digits -Dbench.seconds=10.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl inference-protocol -am -DskipTests ${VEIL_BENCH_MVN_ARGS:-} test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
cp="inference-protocol/target/test-classes:inference-protocol/target/classes:$(cat inference-protocol/target/bench.cp)"
exec java -Xmx4g "$@" -cp "$cp" dev.veil.inference.ProtocolBenchmark

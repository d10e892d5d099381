#!/usr/bin/env bash
# Accelerator-pool benchmark (BENCHMARKS.md, "Accelerator pool"): ResNet-50 direct vs pool API vs HTTP,
# and dynamic batching vs batch-1 serving under 16 clients. Extra arguments become JVM options,
# e.g. -Dbench.batch=8 -Dbench.images=96.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl functions -am -DskipTests ${VEIL_BENCH_MVN_ARGS:-} test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
cp="functions/target/test-classes:functions/target/classes:$(cat functions/target/bench.cp)"
exec java -Xmx6g "$@" -cp "$cp" dev.veil.functions.image.ImageBenchmark

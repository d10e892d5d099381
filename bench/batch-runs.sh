#!/usr/bin/env bash
# Batch-run benchmark (not a test): rows/s of the batch run service (POST /api/batch/runs) on 1 host and on 3
# clustered hosts (separate JVMs on loopback, one local storage folder), against the local `veil batch` scorer on the
# same files in the same run; prints the ratios and the hosts' CPU seconds.
# Usage: bench/batch-runs.sh [rows (100000)] [mini-batch size (500)]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/functions/target/bench-classpath.txt"
nice mvn -B -ntp -q -pl functions -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
cd functions # the test data (WdbcData) is read relative to the module
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  dev.veil.functions.batch.BatchRunBenchmark "$@"

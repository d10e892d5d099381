#!/usr/bin/env bash
# Streams benchmark (not a test): Kafka-trigger throughput vs a plain consumer->producer loop on the same
# broker, and blob-trigger upload->output latency on Azurite, all in one run.
# Usage: bench/streams.sh [records (200000)] [records for cardinality ONE (20000)] [blobs (100)]
# Uses VEIL_TEST_KAFKA / VEIL_TEST_AZURITE when set, else starts a broker and Azurite for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/triggers/target/bench-classpath.txt"
nice mvn -B -ntp -q -pl triggers -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
exec java -Xmx1g -cp "triggers/target/test-classes:triggers/target/classes:$(cat "$cp_file")" \
  dev.veil.triggers.bench.StreamsBenchmark "$@"

#!/usr/bin/env bash
# Queue/timer benchmark (not a test): queue-trigger messages/s (no-op, and echo via @QueueOutput) against a plain
# SDK receive->delete loop on the same Azurite queue service in one run, and timer firing jitter p50/p99.
# Usage: bench/queue-timer.sh [messages (2000)] [timer runs (60)]
# Uses VEIL_TEST_AZURITE / VEIL_TEST_AZURITE_QUEUE when set, else starts Azurite for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/triggers/target/bench-classpath.txt"
nice mvn -B -ntp -q -pl triggers -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
exec java -Xmx1g -cp "triggers/target/test-classes:triggers/target/classes:$(cat "$cp_file")" \
  dev.veil.triggers.bench.QueueTimerBenchmark "$@"

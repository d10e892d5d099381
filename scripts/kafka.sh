#!/usr/bin/env bash
# Starts a real Apache Kafka broker (KRaft, broker + controller in one process) on 127.0.0.1 in the
# foreground, from the kafka_2.13 jars on Maven Central. Prints "bootstrap=127.0.0.1:PORT" when ready.
# Usage: scripts/kafka.sh [data-dir (default .veil/kafka)] [port (default 9092; 0 = a free one)]
# Point Veil at it with the app setting the function's brokerList names, e.g. KAFKA_BROKERS=127.0.0.1:9092.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=testkit/target/broker-classpath.txt
if [ ! -f "$cp_file" ] || [ ! -d testkit/target/classes ] || [ testkit/pom.xml -nt "$cp_file" ]; then
  mvn -B -ntp -q -pl testkit -DskipTests compile dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file" >&2
fi
exec java -cp "testkit/target/classes:$(cat "$cp_file")" dev.veil.testkit.KafkaBroker \
  "${1:-.veil/kafka}" "${2:-9092}"

#!/usr/bin/env bash
# Runs the whole test suite: installs prerequisites, then `mvn verify` over every module.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# One Kafka broker and one Azurite for the whole run, shared by every module's tests (testkit reads
# VEIL_TEST_KAFKA / VEIL_TEST_AZURITE); both are stopped when this script exits.
services=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$services"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_line() { # file pattern pid
  for _ in $(seq 1500); do # up to 5 minutes: the first kafka.sh also compiles testkit
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.2
  done
  echo "test.sh: service did not start:" >&2; cat "$1" >&2; exit 1
}
if [ -z "${VEIL_TEST_KAFKA:-}" ]; then
  scripts/kafka.sh "$services/kafka" 0 >"$services/kafka.out" 2>&1 & pids+=($!)
  await_line "$services/kafka.out" '^bootstrap=' "$!"
  export VEIL_TEST_KAFKA=$(sed -n 's/^bootstrap=\([^ ]*\).*/\1/p' "$services/kafka.out")
fi
if [ -z "${VEIL_TEST_AZURITE:-}" ]; then
  port=$(free_port)
  queue_port=$(free_port) # Azurite's queue service (VEIL_TEST_AZURITE_QUEUE)
  AZURITE_QUEUE_IN_MEMORY=1 scripts/azurite.sh "$services/azurite" "$port" "$queue_port" >"$services/azurite.out" 2>&1 & pids+=($!)
  await_line "$services/azurite.out" 'Blob service successfully listens' "$!"
  await_line "$services/azurite.out" 'Queue service successfully listens' "$!"
  export VEIL_TEST_AZURITE="http://127.0.0.1:$port/devstoreaccount1"
  export VEIL_TEST_AZURITE_QUEUE="http://127.0.0.1:$queue_port/devstoreaccount1"
fi
echo "test.sh: Kafka at $VEIL_TEST_KAFKA, Azurite at $VEIL_TEST_AZURITE, queues at ${VEIL_TEST_AZURITE_QUEUE:-(started by the tests)}"

# clients/js: node-seal client round trips (the end-to-end runs are Java tests in functions)
(cd clients/js && node --test test/)
mvn -B -ntp verify "$@"

#!/usr/bin/env bash
# Builds Veil and starts the host with the bundled functions on the embedded default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp -q -DskipTests package
exec java -jar deploy/target/veil.jar start "$@"

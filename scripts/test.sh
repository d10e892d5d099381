#!/usr/bin/env bash
# Runs the whole test suite: installs prerequisites, then `mvn verify` over every module.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp verify "$@"

#!/usr/bin/env bash
# Runs one of the end-to-end benchmarks written as a JUnit class in a module's tests (real hosts, brokers,
# storage; surefire's default includes skip them, so the test suite never runs them).
# Usage: bench/e2e.sh MODULE CLASS [-Dname=value ...]   e.g. bench/e2e.sh functions ClusterMnistBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
module=${1:?usage: bench/e2e.sh MODULE CLASS [-Dname=value ...]}
class=${2:?usage: bench/e2e.sh MODULE CLASS [-Dname=value ...]}
shift 2
exec mvn -B -ntp -q -pl "$module" -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest="$class" "$@" verify

#!/usr/bin/env bash
# Starts Azurite's blob and queue services (Azure Storage emulator, npm package pinned in testkit/node) on
# 127.0.0.1 in the foreground; stopping this script stops both.
# Usage: scripts/azurite.sh [data-dir (default .veil/azurite)] [blob port (default 10000)] [queue port (default blob port + 1)]
# Its well-known development connection string is "UseDevelopmentStorage=true" (ports 10000 and 10001).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=testkit/node/node_modules/.bin/azurite-blob
[ -x "$bin" ] || (cd testkit/node && npm ci --no-audit --no-fund --loglevel=error)
dir=${1:-.veil/azurite}
port=${2:-10000}
queue_port=${3:-$((port + 1))}
mkdir -p "$dir/queue"
children=()
trap 'kill "${children[@]}" 2>/dev/null || true; wait' EXIT
trap 'exit 143' TERM INT
"$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir" --skipApiVersionCheck --loose & children+=($!)
# AZURITE_QUEUE_IN_MEMORY=1 (scripts/test.sh): keep queues in memory, much faster for thousands of messages
queue_store=(--location "$dir/queue")
[ "${AZURITE_QUEUE_IN_MEMORY:-}" = 1 ] && queue_store=(--inMemoryPersistence)
testkit/node/node_modules/.bin/azurite-queue --queueHost 127.0.0.1 --queuePort "$queue_port" "${queue_store[@]}" \
  --skipApiVersionCheck --loose & children+=($!)
wait -n # one service ending ends the other

#!/usr/bin/env bash
# Starts Azurite's blob service (Azure Storage emulator, npm package pinned in testkit/node) on 127.0.0.1
# in the foreground. Usage: scripts/azurite.sh [data-dir (default .veil/azurite)] [port (default 10000)]
# Its well-known development connection string is "UseDevelopmentStorage=true" (port 10000).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=testkit/node/node_modules/.bin/azurite-blob
[ -x "$bin" ] || (cd testkit/node && npm ci --no-audit --no-fund --loglevel=error)
dir=${1:-.veil/azurite}
mkdir -p "$dir"
exec "$bin" --blobHost 127.0.0.1 --blobPort "${2:-10000}" --location "$dir" --skipApiVersionCheck --loose

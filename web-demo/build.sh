#!/usr/bin/env bash
# Maven's generate-resources step: installs the pinned npm packages when they are missing or older than
# package-lock.json (as scripts/setup.sh does), then bundles the page into $1 with web-demo/build.mjs.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "web-demo: npm ci"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  touch node_modules
fi
exec node build.mjs "$1"

#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine (JDK, Maven, Node present).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the native toolchain for he-native, the fuzzing toolchain, the training data
# (scikit-learn ships the Wisconsin breast-cancer set), and wrk for the HTTP benchmark.
# python3-torch/torchvision/onnx: the accelerator pool generates its seeded ResNet-50 ONNX files with them.
# chromium: clients/js's browser tests run the library in it (headless, driven by playwright-core).
# curl, openssl: the TLS tests call the host with them (curl, openssl s_client) and bench/tls.sh makes its certificate.
debs=(cmake g++ make libzstd-dev zlib1g-dev clang libclang-rt-14-dev python3-sklearn python3-numpy wrk python3-torch python3-torchvision python3-onnx chromium curl openssl)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages (node-seal, azurite, ...), pinned by each package-lock.json. `setup.sh --run` (scripts/run.sh):
# only the client's and the dashboard's (esbuild bundles its page into veil.jar), since the test kit's (Azurite)
# serves the tests alone.
for lock in $(git ls-files '*package-lock.json' 2>/dev/null || true); do
  dir=$(dirname "$lock")
  [ "${1:-}" != --run ] || [ "$dir" = clients/js ] || [ "$dir" = dashboard ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
done

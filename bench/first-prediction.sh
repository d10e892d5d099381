#!/usr/bin/env bash
# Times README "Your first encrypted prediction" from `git clone` to the first decrypted prediction, running
# exactly its commands (port 7071 must be free). Prerequisites (JDK, Maven, Node, Debian packages) are assumed
# installed, as the README's "Two commands" section says; Maven's and npm's caches are whatever the machine has.
#   bench/first-prediction.sh [REPOSITORY]       (default: this checkout)
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d)
host=""
trap '[ -z "$host" ] || kill "$host" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" # the run's secret keys stay in the scratch folder
t0=$(date +%s.%N)
stamp() { printf 't+%6.1fs %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$*"; }
git clone -q "$repo" "$work/veil"
cd "$work/veil"
stamp "cloned"
scripts/run.sh >"$work/host.log" 2>&1 &
host=$!
until grep -q "HTTP functions:" "$work/host.log"; do
  kill -0 "$host" 2>/dev/null || { cat "$work/host.log"; exit 1; }
  sleep 1
done
stamp "host ready (built and started)"
export VEIL_FUNCTION_KEY=$(node -p 'require("./.veil/keys.json").hostKeys.default')
clients/js/bin/veil-he.js keygen --url http://127.0.0.1:7071 --function encrypted-breast-cancer --key-id bob >/dev/null
stamp "keys made and uploaded"
clients/js/bin/veil-he.js predict --key-id bob --csv samples/breast-cancer.csv --row 0
stamp "first decrypted prediction"
grep -E "Total time" .veil/build.log | sed 's/^/build: /'

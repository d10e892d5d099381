#!/usr/bin/env bash
# Builds Veil (only when a source changed since the last build) and starts the host with the bundled functions
# on the embedded default configuration: config from the repository root, keys and state in .veil/.
# Arguments go to `veil start` (e.g. --port 7072). VEIL_SKIP_SETUP=1 skips scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
for a in "$@"; do
  if [ "$a" = --help ] || [ "$a" = -h ]; then
    echo "usage: scripts/run.sh [veil start options]   builds when needed, then runs \`veil start\` from the repository root"
    if [ -f deploy/target/veil.jar ]; then java -jar deploy/target/veil.jar --help; else echo "(veil start's options are listed once it is built)"; fi
    exit 0
  fi
done
[ "${VEIL_SKIP_SETUP:-}" = 1 ] || scripts/setup.sh --run

# The port `veil start` will take: --port N, else local.settings.json's Host.LocalHttpPort, else 7071. Checked
# before building, so a second run.sh beside a running host says so at once instead of building first.
port=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in --port) port="${args[i + 1]:-}" ;; --port=*) port="${args[i]#--port=}" ;; esac
done
if [ -z "$port" ] && [ -f local.settings.json ]; then
  port=$(node -p 'try { require("./local.settings.json").Host.LocalHttpPort || "" } catch { "" }' 2>/dev/null || true)
fi
port=${port:-7071}
if [ "$port" != 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "run.sh: port $port is already in use (a Veil host already running?); stop it, or pick another port:" \
    "scripts/run.sh --port $((port + 1))" >&2
  exit 1
fi

# Rebuild only when something the build reads is newer than the jar it makes.
jar=deploy/target/veil.jar
changed() {
  [ -f "$jar" ] || return 0
  [ -n "$(find pom.xml */pom.xml */src he-native/CMakeLists.txt -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}
if changed; then
  mkdir -p .veil
  echo "run.sh: building (one line per module; full log in .veil/build.log)"
  # Maven's "Building <module> [i/n]" lines, shown as they come, so a minute of building is not a minute of silence.
  # -Dmaven.test.skip: running needs no test classes, so they are not compiled either (scripts/test.sh does)
  if ! mvn -B -ntp -Dmaven.test.skip=true package 2>&1 | tee .veil/build.log \
      | sed -un 's/^\[INFO\] Building \(.*[^ ]\)  *\[\([0-9]*\/[0-9]*\)\]$/  [\2] \1/p'; then
    echo "run.sh: the build failed; the end of .veil/build.log:" >&2
    tail -40 .veil/build.log >&2
    exit 1
  fi
else
  echo "run.sh: $jar is up to date (no source changed since it was built)"
fi

# Run a copy named by the jar's content: a later build never overwrites the jar a running host has open.
mkdir -p .veil/jars
copy=.veil/jars/veil-$(cksum <"$jar" | cut -d' ' -f1).jar
[ -f "$copy" ] || cp "$jar" "$copy"
# keep the five newest copies
ls -1t .veil/jars/veil-*.jar | tail -n +6 | xargs -r rm -f
echo "run.sh: CLI launcher: deploy/target/veil/bin/veil (e.g. deploy/target/veil/bin/veil batch --help)"
# The bundled queueScoring function reads %KAFKA_BROKERS%, and an undeclared broker setting stops the host:
# declared empty unless the caller set it, so it runs on the in-process queue.
export KAFKA_BROKERS="${KAFKA_BROKERS-}"
exec java -jar "$copy" start "$@"

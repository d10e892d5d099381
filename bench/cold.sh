#!/usr/bin/env bash
# Cold start (issue 24): process start -> first 200, in one run, alternating rounds, for
#   bare           a bare Vert.x server (bench/http's BareVertxServer), the floor
#   veil           deploy/target/veil/bin/veil start without the class-data archive (VEIL_CLASS_ARCHIVE=off)
#   veil+archive   the same with the archive the build made: AppCDS on JDK 17, the AOT cache on JDK 25
# for two first requests: the no-op function (GET /api/noop; bench/http's NoopFunction, --functions) and the
# first encrypted MNIST request (the bundled encrypted-mnist; its keys were uploaded and the ciphertext made
# before the measurements, so the host reads the key bundle from its key directory on disk and no client work
# is timed); on two JVMs, the JDK 17 on PATH and Temurin 25. Prints each configuration's median and the ratios.
# Usage: bench/cold.sh [rounds, default 5]
# Env: BENCH_SKIP_BUILD=1 (use the existing deploy/target/veil), BENCH_JDK17 (a java home; default: java on PATH),
#      BENCH_JDK25 (default /usr/lib/jvm/temurin-25-jdk-amd64; empty: JDK 17 only), BENCH_JAVA_OPTS (-Xmx1g, every JVM),
#      BENCH_SETTINGS_ENV (1: local.settings.json's Values are in the environment, one JVM per host; 0: they are not,
#      and `veil start --functions` re-runs itself in a child JVM to set them for the app, as it does from a bare
#      shell; a host of the bundled functions alone never does)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
java_home_of() { dirname "$(dirname "$(readlink -f "$1")")"; }
JDK17=${BENCH_JDK17:-$(java_home_of "$(command -v java)")}
JDK25=${BENCH_JDK25-/usr/lib/jvm/temurin-25-jdk-amd64}
jdks=(17); [ -z "$JDK25" ] || jdks+=(25)
home_of() { if [ "$1" = 17 ]; then echo "$JDK17"; else echo "$JDK25"; fi; }
dist=$PWD/deploy/target/veil
[ -d clients/js/node_modules ] || scripts/setup.sh --run
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || mvn -B -ntp -q -Dmaven.test.skip=true -pl deploy -am package
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$work"' EXIT

# The archive for each JVM (the build makes the one for the JDK that runs it), and a check that it fits these
# JVM options: -Xshare:on / -XX:AOTMode=on refuse to start when the archive cannot be used.
for v in "${jdks[@]}"; do
  home=$(home_of "$v")
  version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$home/release")
  if ! ls "$dist/lib/archive/$version".* >/dev/null 2>&1; then
    "$dist/bin/veil-archive" "$home" >"$work/archive.log" 2>&1; grep '^class-data archive\|^WARNING: no' "$work/archive.log"
  fi
  strict=-Xshare:on; [ "$v" -lt 24 ] || strict=-XX:AOTMode=on
  JAVA=$home/bin/java JAVA_OPTS="$JAVA_OPTS $strict" "$dist/bin/veil" --help >/dev/null \
    || { echo "the archive in $dist/lib/archive does not fit JDK $v with $JAVA_OPTS" >&2; exit 1; }
done

mkdir -p "$work/classes"
javac -q -nowarn -d "$work/classes" -cp "$dist/lib/veil.jar" bench/http/src/dev/veil/bench/*.java 2>/dev/null \
  || javac -d "$work/classes" -cp "$dist/lib/veil.jar" bench/http/src/dev/veil/bench/*.java
export VEIL_MASTER_KEY="bench-$RANDOM$RANDOM" VEIL_KEYS_DIR=$work/keys
# local.settings.json's Values in the environment, as bench/http.sh's host has them: otherwise `veil start
# --functions` (the no-op app) runs itself again in a second JVM to put them there (BENCH_SETTINGS_ENV=0).
if [ "${BENCH_SETTINGS_ENV:-1}" = 1 ]; then export FUNCTIONS_WORKER_RUNTIME=java KAFKA_BROKERS=""; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
mnist_status() { # port -> HTTP status of the encrypted MNIST request (000: no answer yet)
  curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$work/digit.bin" \
    -H 'content-type: application/octet-stream' -H "x-functions-key: $VEIL_MASTER_KEY" \
    "http://127.0.0.1:$1/api/encrypted-mnist?key_id=bench&container=veil-keys" || true
}
status_of() { # kind variant port
  if [ "$1" = mnist ]; then mnist_status "$3"; else
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$3/$([ "$2" = bare ] || echo api/noop)" || true; fi
}
# start jdk kind variant port: the server in the background (pid in $pid), from $work, logging to $work/server.log
start() {
  local home; home=$(home_of "$1")
  if [ "$3" = bare ]; then
    "$home/bin/java" $JAVA_OPTS -cp "$dist/lib/veil.jar:$work/classes" dev.veil.bench.BareVertxServer "$4" \
      >"$work/server.log" 2>&1 &
  else
    local fns=(); [ "$2" = mnist ] || fns=(--functions "$work/classes")
    (cd "$work" && JAVA=$home/bin/java JAVA_OPTS=$JAVA_OPTS VEIL_CLASS_ARCHIVE=$([ "$3" = veil ] && echo off || echo on) \
      exec "$dist/bin/veil" start --port "$4" --data "$work/state" "${fns[@]}" >"$work/server.log" 2>&1) &
  fi
  pid=$!
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

# Once, untimed: host keys in --data, MNIST keys made by the JS client and uploaded, the digit encrypted.
port=$(free_port)
start 17 mnist veil "$port"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)" = 200 ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }; sleep 0.1
done
XDG_CONFIG_HOME=$work/xdg node clients/js/bin/veil-he.js keygen --url "http://127.0.0.1:$port" --function encrypted-mnist \
  --key-id bench --state "$work/client.json" --function-key "$VEIL_MASTER_KEY" >/dev/null
node bench/cold/encrypt-digit.js "http://127.0.0.1:$port" "$work/client.json" "$work/digit.bin"
[ "$(mnist_status "$port")" = 200 ] || { echo "the encrypted MNIST request fails on a warm host" >&2; exit 1; }
stop

echo "cold start, process start -> first 200: $ROUNDS alternating round(s), JVM options $JAVA_OPTS," \
  "BENCH_SETTINGS_ENV=${BENCH_SETTINGS_ENV:-1}"
echo "JDK 17: $JDK17${JDK25:+, JDK 25: $JDK25}; machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
configs=()
for v in "${jdks[@]}"; do configs+=("$v noop bare" "$v noop veil" "$v noop veil+archive" "$v mnist veil" "$v mnist veil+archive"); done
n=${#configs[@]}
for round in $(seq 1 "$ROUNDS"); do # each round starts with the next configuration in turn
  line=""
  for k in $(seq 0 $((n - 1))); do
    read -r jdk kind variant <<<"${configs[$(( (k + round - 1) % n ))]}"
    port=$(free_port)
    t0=$(now_ms)
    start "$jdk" "$kind" "$variant" "$port"
    while :; do
      code=$(status_of "$kind" "$variant" "$port")
      [ "$code" = 200 ] && break
      kill -0 "$pid" 2>/dev/null || { echo "JDK $jdk $kind $variant exited:" >&2; cat "$work/server.log" >&2; exit 1; }
      case $code in 000 | 503) sleep 0.01 ;; *) echo "JDK $jdk $kind $variant: HTTP $code" >&2; cat "$work/server.log" >&2; exit 1 ;; esac
    done
    ms=$(( $(now_ms) - t0 ))
    stop
    echo "$jdk $kind $variant $ms" >>"$work/results"
    line+=" $jdk/$kind/$variant=$ms"
  done
  echo "round $round (ms):$line"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians, then ratios of medians.
awk '
  function median(s,   i, j, t, m, a) { m = split(s, a, " ");
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  { key = $1 " " $2 " " $3; all[key] = all[key] " " $4; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  END {
    for (i = 1; i <= n; i++) med[order[i]] = median(all[order[i]])
    print "median ms (each configuration, all rounds):"
    for (v = 17; v <= 25; v += 8) for (c = 0; c < 2; c++) {
      cs = c ? "mnist" : "noop"; if (!((v " " cs " veil") in med)) continue
      printf "  JDK %d %-5s  bare %6s   veil %6d   veil+archive %6d   archive/no archive %.2f", v, cs,
        ((v " " cs " bare") in med) ? med[v " " cs " bare"] : "-", med[v " " cs " veil"], med[v " " cs " veil+archive"],
        med[v " " cs " veil+archive"] / med[v " " cs " veil"]
      if ((v " " cs " bare") in med) printf "   veil/bare %.2f, veil+archive/bare %.2f", med[v " " cs " veil"] / med[v " " cs " bare"], med[v " " cs " veil+archive"] / med[v " " cs " bare"]
      printf "\n"
    }
    if (("25 noop veil") in med) for (c = 0; c < 2; c++) { cs = c ? "mnist" : "noop"
      printf "  JDK 25 / JDK 17, %-5s: veil %.2f, veil+archive %.2f%s\n", cs, med["25 " cs " veil"] / med["17 " cs " veil"],
        med["25 " cs " veil+archive"] / med["17 " cs " veil+archive"], c ? "" : sprintf(", bare %.2f", med["25 noop bare"] / med["17 noop bare"]) }
    print "goal (issue 24): no-op <= 1000 ms, first encrypted MNIST answer <= 2000 ms"
  }' "$work/results"

#!/usr/bin/env bash
# Where a cold start goes: process start -> first 200 of a no-op HTTP function (bench/http/'s NoopFunction,
# served with --functions), against a bare Vert.x server started the same way, in alternating rounds of
# one run (this machine is shared: compare the ratio, not the milliseconds). Then one profiled start of the
# host: the host's own start-up timeline (its "start-up:" log line), the JVM's start-up phases
# (-Xlog:startuptime) and the classes loaded, by subsystem (-Xlog:class+load).
# Usage: bench/cold-profile.sh [rounds, default 5]
# Env: BENCH_SKIP_BUILD=1 (use the existing deploy/target/veil.jar), BENCH_JAVA_OPTS (-Xmx1g),
#      BENCH_B_JAR (another build's veil.jar, e.g. main's: started in the same rounds as "veil-b")
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || mvn -B -ntp -q -DskipTests -pl deploy -am package
# shellcheck source=bench/start-helpers.sh
. bench/start-helpers.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
javac -nowarn -d "$work/classes" -cp deploy/target/veil.jar bench/http/src/dev/veil/bench/*.java
echo '{"veil": {"nativeTransport": true}}' > "$work/host.json"

cold() { # name jar extra-java-options... -> prints "ms-to-first-200 cpu-ms-by-then", then stops the server
  local name=$1 jar=$2; shift 2
  local port; port=$(free_port)
  local start; start=$(now_ms)
  local main=(dev.veil.runtime.Main start --port "$port" --config "$work" --data "$work/data-$name" --functions "$work/classes")
  local url="http://127.0.0.1:$port/api/noop"
  if [ "$name" = bare ]; then main=(dev.veil.bench.BareVertxServer "$port"); url="http://127.0.0.1:$port/"; fi
  # shellcheck disable=SC2086 # the options are a word list
  java $JAVA_OPTS "$@" -cp "$jar:$work/classes" "${main[@]}" > "$work/$name.log" 2>&1 &
  local pid=$!
  local ms; ms=$(wait_200 "$start" "$url")
  # CPU time (user + system, all threads, in clock ticks of 10 ms) the JVM had used by its first 200: the
  # work a cold start does, less sensitive than wall time to what else the machine runs
  echo "$ms $(awk '{print ($14 + $15) * 10}' "/proc/$pid/stat")"
  sleep 1 # lets the host log its start-up line (written once ready)
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

servers=(veil bare)
[ -n "${BENCH_B_JAR:-}" ] && servers=(veil veil-b bare)
echo "cold start, $ROUNDS alternating round(s), JVM $JAVA_OPTS, $(java -version 2>&1 | head -1)"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  line="  round $round:"
  for s in "${servers[@]}"; do
    jar=deploy/target/veil.jar; [ "$s" = veil-b ] && jar=$BENCH_B_JAR
    read -r ms cpu <<<"$(cold "$s" "$jar")"; echo "$s $ms $cpu" >> "$work/results"; line+=" $s $ms ms (cpu $cpu ms)"
  done
  echo "$line"
done
median() { # server column -> median of that column
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$work/results" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
bare=$(median bare 2); bare_cpu=$(median bare 3)
for s in "${servers[@]}"; do
  m=$(median "$s" 2); c=$(median "$s" 3)
  printf '  %-7s median %6s ms (%s x bare), CPU by then %6s ms (%s x bare)\n' "$s" "$m" "$(ratio "$m" "$bare")" "$c" "$(ratio "$c" "$bare_cpu")"
done
echo "machine: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo; echo "one profiled start of veil (logging slows it):"
cold veil-profiled deploy/target/veil.jar -Xlog:startuptime -Xlog:class+load=info:file="$work/classes.log" > /dev/null
grep -o 'start-up: .*' "$work/veil-profiled.log" || echo "  (no start-up line: the host was not ready within a second of its first 200)"
echo "JVM start-up phases (-Xlog:startuptime):"
grep -E 'startuptime' "$work/veil-profiled.log" | sed 's/^/  /' | head -20
echo "landmarks (first load of a class, s since JVM start; Main = JVM booted, VeilHost = logging and settings read):"
for c in dev.veil.runtime.Main ch.qos.logback.classic.LoggerContext com.fasterxml.jackson.databind.ObjectMapper \
    dev.veil.runtime.VeilHost io.vertx.core.impl.VertxImpl io.vertx.ext.web.Router dev.veil.triggers.http.HttpEndpoint \
    dev.veil.runtime.host.StartupGuide dev.veil.runtime.spi.Invocation; do
  awk -v c="$c" '{ t=$1; sub(/^(\[[^]]*\])+ */, ""); if ($1 == c) { gsub(/[^0-9.]/, "", t); printf "  %-48s %ss\n", c, t; exit } }' "$work/classes.log"
done
echo "classes loaded, by subsystem:"
awk '
  function subsystem(name, src,   part) {
    split(name, part, ".")
    if (name ~ /^dev\.veil\./) return "veil " part[3]
    if (name ~ /^io\.vertx\.core/) return "vert.x core"
    if (name ~ /^io\.vertx\./) return "vert.x other"
    if (name ~ /^io\.netty\./) return "netty"
    if (name ~ /^com\.fasterxml\.jackson\.databind/) return "jackson databind"
    if (name ~ /^com\.fasterxml\.jackson/) return "jackson other"
    if (name ~ /^ch\.qos\.logback|^org\.slf4j/) return "logging"
    if (name ~ /^io\.micrometer|^io\.prometheus/) return "metrics"
    if (name ~ /^com\.google\.protobuf/) return "protobuf"
    if (name ~ /^com\.hazelcast|^io\.vertx\.spi\.cluster/) return "hazelcast"
    if (name ~ /^org\.apache\.kafka/) return "kafka"
    if (name ~ /^ai\.onnxruntime/) return "onnx runtime"
    if (name ~ /^com\.azure/) return "azure sdk"
    if (src == "shared") return "jdk, from the CDS archive"
    if (name ~ /^(java|javax|jdk|sun|com\.sun)\./) return "jdk, not archived"
    return "other"
  }
  { sub(/^(\[[^]]*\])+ */, ""); n[subsystem($1, $3)]++ }
  END { for (k in n) printf "  %-28s %5d\n", k, n[k] }' "$work/classes.log" \
  | awk '{print $NF "\t" $0}' | sort -rn | cut -f2-

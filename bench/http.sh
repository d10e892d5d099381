#!/usr/bin/env bash
# HTTP host benchmark: a no-op Veil HTTP function vs a bare Vert.x handler, same machine, same load generator
# (wrk), same JVM flags, both servers up at once and measured in alternating rounds. Prints requests/s, p50/p99 of both, the throughput ratio, and the
# cold start of the host (process start -> first 200 from the function).
# Usage: bench/http.sh [seconds per measurement, default 10] [rounds, default 6]
# Env: BENCH_SKIP_BUILD=1 (use the existing deploy/target/veil.jar), BENCH_WARMUP (15 s per server, for the JIT), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_JAVA_OPTS (-Xmx1g), BENCH_VEIL_LOG_LEVEL (INFO: one line per invocation),
#      BENCH_NATIVE_TRANSPORT (true: both servers use Vert.x's native transport, epoll on Linux, as the host does by default; false: both use Java NIO)
# A/B: BENCH_B_JAR (another build's veil.jar) and/or BENCH_B_OPTS (extra JVM options) start a second Veil host, "veil-b",
# measured in the same alternating rounds; the summary adds veil-b/bare and veil-b/veil. Effects of a few percent
# need this: the machine's noise between separate runs is larger.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ROUNDS=${2:-6}
WARMUP=${BENCH_WARMUP:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
NATIVE_TRANSPORT=${BENCH_NATIVE_TRANSPORT:-true}
command -v wrk >/dev/null || scripts/setup.sh
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || mvn -B -ntp -q -DskipTests -pl deploy -am package
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/classes" "$work/b"
# Both Veil hosts and the bare server ask for the same transport.
for dir in "$work" "$work/b"; do echo "{\"veil\": {\"nativeTransport\": $NATIVE_TRANSPORT}}" > "$dir/host.json"; done
javac -q -nowarn -d "$work/classes" -cp deploy/target/veil.jar bench/http/src/dev/veil/bench/*.java 2>/dev/null \
  || javac -d "$work/classes" -cp deploy/target/veil.jar bench/http/src/dev/veil/bench/*.java
CP="deploy/target/veil.jar:$work/classes"

# shellcheck source=bench/start-helpers.sh
. bench/start-helpers.sh # free_port, now_ms, wait_200
to_ms() { # wrk latency (e.g. 512.00us, 1.20ms, 2.00s) -> milliseconds
  awk -v v="$1" 'BEGIN { n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u);
    if (u=="us") n/=1000; else if (u=="s") n*=1000; printf "%.3f", n }'
}
measure() { # name url -> appends "name rps p50ms p99ms" to results
  local name=$1 url=$2
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); errors=${errors:-0}
  [ "$errors" = 0 ] || { echo "$name: $errors non-2xx responses" >&2; exit 1; }
  echo "$name $rps $p50 $p99" >> "$work/results"
  printf '  %-10s %10s req/s  p50 %7s ms  p99 %7s ms\n' "$name" "$rps" "$p50" "$p99"
}

echo "HTTP benchmark: wrk -t$THREADS -c$CONNECTIONS, $ROUNDS alternating round(s) of ${DURATION}s each after a ${WARMUP}s warm-up of each server, JVM $JAVA_OPTS"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Cold start of both servers, one after the other, each until its first 200.
veil_port=$(free_port)
start=$(now_ms)
VEIL_LOG_LEVEL=${BENCH_VEIL_LOG_LEVEL:-INFO} java $JAVA_OPTS -cp "$CP" dev.veil.runtime.Main start --port "$veil_port" \
  --config "$work" --data "$work/veil-data" --functions "$work/classes" > "$work/veil.log" 2>&1 &
veil_cold=$(wait_200 "$start" "http://127.0.0.1:$veil_port/api/noop")
bare_port=$(free_port)
start=$(now_ms)
java $JAVA_OPTS -Dbench.nativeTransport="$NATIVE_TRANSPORT" -cp "$CP" dev.veil.bench.BareVertxServer "$bare_port" > "$work/bare.log" 2>&1 &
bare_cold=$(wait_200 "$start" "http://127.0.0.1:$bare_port/")
echo "cold start (process start -> first 200): veil $veil_cold ms, bare Vert.x $bare_cold ms"
echo "transport: veil $(grep -o '([A-Za-z]* transport)' "$work/veil.log" | head -1), bare $(grep -o '([A-Za-z]* transport)' "$work/bare.log" | head -1)"
servers=(veil bare)
if [ -n "${BENCH_B_JAR:-}${BENCH_B_OPTS:-}" ]; then
  b_port=$(free_port)
  # shellcheck disable=SC2086 # the options are a word list
  VEIL_LOG_LEVEL=${BENCH_VEIL_LOG_LEVEL:-INFO} java $JAVA_OPTS ${BENCH_B_OPTS:-} -cp "${BENCH_B_JAR:-deploy/target/veil.jar}:$work/classes" \
    dev.veil.runtime.Main start --port "$b_port" --config "$work/b" --data "$work/b/veil-data" --functions "$work/classes" \
    > "$work/veil-b.log" 2>&1 &
  wait_200 "$(now_ms)" "http://127.0.0.1:$b_port/api/noop" >/dev/null
  servers+=(veil-b)
fi

# Both stay up; measurements alternate so that load from elsewhere on the machine hits both alike.
url_of() { case $1 in veil) echo "http://127.0.0.1:$veil_port/api/noop" ;; bare) echo "http://127.0.0.1:$bare_port/" ;;
  veil-b) echo "http://127.0.0.1:$b_port/api/noop" ;; esac; }
for s in "${servers[@]}"; do wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$(url_of "$s")" >/dev/null; done
n=${#servers[@]}
for round in $(seq 1 "$ROUNDS"); do # each round starts with the next server in turn
  for k in $(seq 0 $((n - 1))); do s=${servers[$(( (k + round - 1) % n ))]}; measure "$s" "$(url_of "$s")"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk '
  $1=="veil" { vr+=$2; v50+=$3; v99+=$4; nv++ }
  $1=="bare" { br+=$2; b50+=$3; b99+=$4; nb++ }
  $1=="veil-b" { xr+=$2; x50+=$3; x99+=$4; nx++ }
  END {
    printf "mean of %d round(s):\n", nv
    printf "  veil  %10.0f req/s  p50 %.3f ms  p99 %.3f ms\n", vr/nv, v50/nv, v99/nv
    printf "  bare  %10.0f req/s  p50 %.3f ms  p99 %.3f ms\n", br/nb, b50/nb, b99/nb
    if (nx) printf "  veil-b %8.0f req/s  p50 %.3f ms  p99 %.3f ms\n", xr/nx, x50/nx, x99/nx
    if (nx) printf "A/B: veil-b/bare %.3f, veil-b/veil %.3f (mean req/s)\n", xr/br, xr/vr
    printf "throughput ratio veil/bare: %.3f (mean req/s)", vr/br
  }' "$work/results"
# Per-round ratios (veil and bare measured back to back), and their median.
paste <(awk '$1=="veil" {print $2}' "$work/results") <(awk '$1=="bare" {print $2}' "$work/results") \
  | awk '{ printf "%.3f\n", $1 / $2 }' | sort -n > "$work/ratios"
awk '{ r[NR] = $1 } END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
  printf ", %.3f (median of per-round ratios: %s); goal >= 0.9\n", m, list }' list="$(paste -sd' ' "$work/ratios")" "$work/ratios"

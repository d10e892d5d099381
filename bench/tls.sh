#!/usr/bin/env bash
# TLS benchmark: the no-op Veil HTTP function served three ways at once (plain HTTP, HTTPS with the JDK's TLS
# engine, HTTPS with OpenSSL/BoringSSL through netty-tcnative), driven by wrk in alternating rounds so that
# load from elsewhere hits all alike. Prints req/s and p50/p99 per server, the HTTPS/HTTP throughput ratio of
# each engine, and the full-handshake rate (wrk with "Connection: close": every request a new TLS 1.3
# handshake, ECDHE P-256 with an ECDSA P-256 certificate).
# Usage: bench/tls.sh [seconds per measurement, default 10] [rounds, default 4]
# Env: BENCH_SKIP_BUILD=1, BENCH_WARMUP (10 s per server), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
#      BENCH_JAVA_OPTS (-Xmx1g), BENCH_VEIL_LOG_LEVEL (INFO)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ROUNDS=${2:-4}
WARMUP=${BENCH_WARMUP:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
command -v wrk >/dev/null || scripts/setup.sh
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || mvn -B -ntp -q -DskipTests -pl deploy -am package
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/classes"
javac -q -nowarn -d "$work/classes" -cp deploy/target/veil.jar bench/http/src/dev/veil/bench/NoopFunction.java 2>/dev/null \
  || javac -d "$work/classes" -cp deploy/target/veil.jar bench/http/src/dev/veil/bench/NoopFunction.java
CP="deploy/target/veil.jar:$work/classes"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
MASTER=bench-master-key-0123456789

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
to_ms() { awk -v v="$1" 'BEGIN { n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u);
    if (u=="us") n/=1000; else if (u=="s") n*=1000; printf "%.3f", n }'; }
declare -A URL
start_host() { # name tls-json
  local name=$1 tls=$2 port; port=$(free_port)
  mkdir -p "$work/$name"; cp "$work/cert.pem" "$work/key.pem" "$work/$name/"
  echo "{\"veil\": {$tls}}" > "$work/$name/host.json"
  VEIL_MASTER_KEY=$MASTER VEIL_LOG_LEVEL=${BENCH_VEIL_LOG_LEVEL:-INFO} java $JAVA_OPTS -cp "$CP" dev.veil.runtime.Main start \
    --port "$port" --config "$work/$name" --data "$work/$name/data" --functions "$work/classes" > "$work/$name.log" 2>&1 &
  local scheme=http; [ -n "$tls" ] && scheme=https
  URL[$name]="$scheme://127.0.0.1:$port"
  for _ in $(seq 1 3000); do
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "${URL[$name]}/api/noop" || true)" = 200 ] && break; sleep 0.01
  done
  echo "  $name: ${URL[$name]} $(curl -sk -H "x-functions-key: $MASTER" "${URL[$name]}/admin/host/status" | python3 -c 'import json,sys; l=json.load(sys.stdin)["listener"]; print(l["scheme"], l.get("tlsEngine", ""))')"
}
measure() { # name url extra-wrk-args... -> appends "name rps p50 p99"
  local name=$1 url=$2; shift 2
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")"); p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  echo "$name $rps $p50 $p99" >> "$work/results"
  printf '  %-16s %10s req/s  p50 %7s ms  p99 %7s ms %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

echo "TLS benchmark: wrk -t$THREADS -c$CONNECTIONS, $ROUNDS alternating round(s) of ${DURATION}s after ${WARMUP}s warm-up each, JVM $JAVA_OPTS"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_host http ''
start_host https-jdk '"tls": {"certificate": "cert.pem", "key": "key.pem", "engine": "jdk"}'
start_host https-openssl '"tls": {"certificate": "cert.pem", "key": "key.pem", "engine": "openssl"}'
servers=(http https-jdk https-openssl)
for s in "${servers[@]}"; do wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${URL[$s]}/api/noop" >/dev/null; done
echo "keep-alive (one handshake per connection):"
for round in $(seq 1 "$ROUNDS"); do
  for k in 0 1 2; do s=${servers[$(( (k + round - 1) % 3 ))]}; measure "$s" "${URL[$s]}/api/noop"; done
done
echo "full handshakes (Connection: close, wrk -c16):"
for round in $(seq 1 "$ROUNDS"); do
  for k in 0 1; do s=${servers[$(( 1 + (k + round - 1) % 2 ))]}
    CONNECTIONS=16 measure "hs-$s" "${URL[$s]}/api/noop" -H "Connection: close"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  { r[$1]+=$2; p50[$1]+=$3; p99[$1]+=$4; n[$1]++ }
  END {
    printf "mean of %d round(s):\n", n["http"]
    for (s in r) printf "  %-16s %10.0f req/s  p50 %.3f ms  p99 %.3f ms\n", s, r[s]/n[s], p50[s]/n[s], p99[s]/n[s]
    printf "throughput ratio https-jdk/http: %.3f, https-openssl/http: %.3f, openssl/jdk: %.3f\n",
      r["https-jdk"]/r["http"], r["https-openssl"]/r["http"], r["https-openssl"]/r["https-jdk"]
    printf "full handshakes/s: jdk %.0f, openssl %.0f (openssl/jdk %.3f)\n", r["hs-https-jdk"]/n["hs-https-jdk"],
      r["hs-https-openssl"]/n["hs-https-openssl"], (r["hs-https-openssl"]/n["hs-https-openssl"])/(r["hs-https-jdk"]/n["hs-https-jdk"])
  }' "$work/results"

#!/usr/bin/env bash
# Builds the libFuzzer target for a loader (clang, -fsanitize=fuzzer,address), seeds it with real node-seal
# objects (make_corpus.js, tiny insecure N=1024 parameters so executions are fast), runs it for the given
# number of seconds (restarting after a crash so the whole time is used) and prints one summary line per
# target: executions and crashes, with crash inputs kept under target/fuzz/<target>/artifacts/.
# Usage: he-native/src/fuzz/run.sh <target|all> <seconds>
# Targets: parms plaintext ciphertext ciphertext_base64 public_key secret_key relin_keys galois_keys
set -euo pipefail
TARGETS=(parms plaintext ciphertext ciphertext_base64 public_key secret_key relin_keys galois_keys)
if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <target|all> <seconds>   (targets: ${TARGETS[*]})" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../.." && pwd)
work="$module/target/fuzz"
if [[ $1 == all ]]; then selected=("${TARGETS[@]}"); else selected=("$1"); fi
for t in "${selected[@]}"; do
  [[ " ${TARGETS[*]} " == *" $t "* ]] || { echo "unknown target $t (targets: ${TARGETS[*]})" >&2; exit 2; }
done
command -v clang++ >/dev/null || { echo "clang++ not found (Debian: clang-14, libclang-rt-14-dev)" >&2; exit 2; }

# The core library, instrumented for coverage and AddressSanitizer.
nice "$here/build_core.sh" "$work/build" clang++ -O1 -g -march=x86-64-v2 -fsanitize=address,fuzzer-no-link

seeds="$work/seeds"
if [[ ! -f $seeds/fuzz1k/parms.none.bin ]]; then
  node "$here/make_corpus.js" "$seeds" fuzz1k >&2
fi
export VEIL_FUZZ_PARMS="$seeds/fuzz1k/parms.none.bin"

seed_files() {
  case $1 in
    parms) echo parms.none.bin ;;
    plaintext) echo pt.* ;;
    ciphertext | ciphertext_base64) echo ct.* cts.* ;;
    public_key) echo pk.* pk_s.* ;;
    secret_key) echo sk.* ;;
    relin_keys) echo rk.* rk_s.* ;;
    galois_keys) echo gk.* gk_s.* ;;
  esac
}

for t in "${selected[@]}"; do
  dir="$work/$t"
  bin="$work/bin/fuzz_$t"
  mkdir -p "$dir/seeds" "$dir/corpus" "$dir/artifacts" "$work/bin"
  if [[ ! -x $bin || $here/fuzz_loader.cpp -nt $bin || $work/build/libcore.a -nt $bin ]]; then
    nice clang++ -std=c++17 -O1 -g -march=x86-64-v2 -fsanitize=address,fuzzer -I"$module/src/main/cpp" \
      -DVEIL_FUZZ_LOADER_NAME="\"$t\"" "$here/fuzz_loader.cpp" "$work/build/libcore.a" -lz -lzstd -o "$bin"
  fi
  if [[ $t == ciphertext_base64 ]]; then  # the seeds as the base64 text of JSON requests, in MIME lines
    for f in $(cd "$seeds/fuzz1k" && seed_files "$t"); do base64 -w 76 "$seeds/fuzz1k/$f" > "$dir/seeds/$f.b64"; done
  else
    (cd "$seeds/fuzz1k" && cp $(seed_files "$t") "$dir/seeds/")
  fi
  crashes_before=$(find "$dir/artifacts" -type f | wc -l)
  execs=0
  deadline=$((SECONDS + $2))
  log="$dir/last.log"
  : > "$log"
  runs=0
  while ((deadline - SECONDS > 0 && runs < 50)); do
    runs=$((runs + 1))
    # 256 KiB covers the largest seed (Galois keys); 2.5 GiB RSS leaves room for ASan over the 64 MiB
    # object bound the target configures.
    set +e
    nice "$bin" -max_total_time=$((deadline - SECONDS)) -print_final_stats=1 -max_len=262144 -timeout=60 \
      -rss_limit_mb=2560 -artifact_prefix="$dir/artifacts/" "$dir/corpus" "$dir/seeds" >>"$log" 2>&1
    set -e
    run_execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    execs=$((execs + ${run_execs:-0}))
    sed -i 's/stat::number_of_executed_units/counted::number_of_executed_units/' "$log"
  done
  crashes=$(( $(find "$dir/artifacts" -type f | wc -l) - crashes_before ))
  echo "$t: seconds=$2 execs=$execs crashes=$crashes corpus=$(ls "$dir/corpus" | wc -l) artifacts=$dir/artifacts log=$log"
done

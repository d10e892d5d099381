# Shell functions the benchmarks that start servers share; source it from a script in bench/.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
wait_200() { # start-ms url -> prints ms from start-ms until the first 200 from url
  local start=$1 url=$2
  for _ in $(seq 1 2000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ]; then echo $(( $(now_ms) - start )); return 0; fi
    sleep 0.01
  done
  echo "no 200 from $url" >&2; return 1
}

#!/usr/bin/env bash
# Serving benchmark: wrk drives POST /predict/seed over loopback (1 row and 256-row batches), then our engine and
# ONNX Runtime run the exported model in-process on the same rows. Usage: bench/serve-bench.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
port=5099
work=$(mktemp -d /tmp/serve-bench.XXXXXX)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
dotnet build bench/Pipeline.ServeBench -c Release -v q -nologo >/dev/null
bin=bench/Pipeline.ServeBench/bin/Release/net10.0/linux-x64/Pipeline.ServeBench
"$bin" serve "$work" "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q '^ready' "$work/server.log" && break; sleep 0.5; done
grep -q '^ready' "$work/server.log" || { cat "$work/server.log" >&2; exit 1; }

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BODY"), "r")); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors))
end
LUA

echo "| path | rows per request | requests/s | rows/s | p50 µs | p99 µs | errors |"
echo "|---|---|---|---|---|---|---|"
for body in single:1 batch256:256; do
  name=${body%%:*}; rows=${body##*:}
  BODY="$work/$name.json" wrk -t2 -c"$connections" -d5s -s "$work/post.lua" "http://127.0.0.1:$port/predict/seed" >/dev/null # warm-up
  line=$(BODY="$work/$name.json" wrk -t2 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/predict/seed" | grep '^RESULT')
  read -r _ requests duration p50 p99 errors <<<"$line"
  awk -v r="$requests" -v d="$duration" -v n="$rows" -v p50="$p50" -v p99="$p99" -v e="$errors" -v c="$connections" \
    'BEGIN { rps = r / (d / 1e6); printf "| HTTP /predict (wrk, %d connections) | %d | %.0f | %.0f | %d | %d | %d |\n", c, n, rps, rps * n, p50, p99, e }'
done
echo
kill $server; wait $server 2>/dev/null || true
"$bin" inproc "$work" "$seconds"

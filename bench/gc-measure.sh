#!/usr/bin/env bash
# Bytes and objects of the jobs bucket before and after `pipeline gc`, for a few embedded jobs (issue #18, item 5;
# figures in docs/RELIABILITY.md). Runs `pipeline up` in embedded mode with no retention grace, three jobs to the
# end and one cancelled mid-training, then gc --dry-run and gc. Needs the CLI built (./pipeline --help builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
cli="dotnet src/Cli/bin/Release/net10.0/Pipeline.Cli.dll"
dir=${GC_MEASURE_DIR:-/tmp/pipeline-gc-measure}; url=${GC_MEASURE_URL:-http://127.0.0.1:5391}
rm -rf "$dir"; mkdir -p "$dir"
export Pipeline__Retention__FinishedJobGrace=00:00:00 Pipeline__Retention__FailedJobGrace=00:00:00 Pipeline__Retention__Sweep=false
$cli up --url $url --dir "$dir" > "$dir/up.log" 2>&1 &
up=$!
trap 'kill $up 2>/dev/null || true' EXIT
for i in $(seq 1 120); do curl -sf $url/health/ready >/dev/null && break; sleep 1; done
GC_DIR="$dir" python3 - <<'PY'
import os
import random
for rows, seed in ((20000, 1), (50000, 2), (20000, 3), (20000, 4)):
    r = random.Random(seed)
    with open(f"{os.environ['GC_DIR']}/houses{rows}-{seed}.csv", "w") as f:
        f.write("area_m2,rooms,city,age_years,price\n")
        for _ in range(rows):
            a = r.uniform(20, 200); k = r.randint(1, 6); c = r.choice(["north", "south", "east", "west"]); y = r.randint(0, 80)
            p = 3000 * a + 15000 * k + {"north": 50000, "south": 0, "east": 20000, "west": 35000}[c] - 800 * y + r.gauss(0, 20000)
            f.write(f"{a:.1f},{k},{c},{y},{p:.0f}\n")
PY
$cli submit "$dir/houses20000-1.csv" --target price --url $url --watch > /dev/null || true
$cli submit "$dir/houses50000-2.csv" --target price --url $url --watch > /dev/null || true
$cli submit "$dir/houses20000-3.csv" --target price --rounds 5 --model small --url $url --watch > /dev/null || true
# A job cancelled mid-training.
job=$($cli submit "$dir/houses20000-4.csv" --target price --url $url --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("jobId") or d["summary"]["jobId"])')
for i in $(seq 1 120); do s=$($cli status $job --json --url $url | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["round"])'); [ "$s" -ge 3 ] && break; sleep 1; done
$cli cancel $job --url $url || true
sleep 3
$cli status --url $url
count() { find "$dir/objects/jobs" -type f | wc -l; }
bytes() { find "$dir/objects/jobs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}'; }
echo "before: $(count) objects, $(bytes) bytes"
for j in "$dir"/objects/jobs/*/; do echo "  $(basename $j): $(find $j -type f | wc -l) objects, $(find $j -type f -printf '%s\n' | awk '{s+=$1} END {print s}') bytes"; done
$cli gc --dry-run --url $url
echo "after dry run: $(count) objects, $(bytes) bytes"
$cli gc --url $url
echo "after gc: $(count) objects, $(bytes) bytes"
for j in "$dir"/objects/jobs/*/; do echo "  $(basename $j): $(find $j -type f | wc -l) objects, $(find $j -type f -printf '%s\n' | awk '{s+=$1} END {print s}') bytes"; done
echo "registry: $(find $dir/objects/models -type f | wc -l) objects"
